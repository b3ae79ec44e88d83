"""Terminal rendering of check results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:
    from golive.engine import CheckResult


def results_table(results: Sequence[CheckResult]) -> Table:
    table = Table(show_edge=False, pad_edge=False, expand=False)
    table.add_column("check", no_wrap=True)
    table.add_column("component")
    table.add_column("verdict", no_wrap=True)
    table.add_column("latency", justify="right", no_wrap=True)
    table.add_column("details")
    for result in results:
        verdict = Text("✓ pass", style="green") if result.ok else Text("✗ FAIL", style="bold red")
        table.add_row(
            result.name,
            result.component or "",
            verdict,
            latency(result.latency_ms),
            Text(details(result)),
        )
    return table


def latency(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def details(result: CheckResult) -> str:
    """For a failure: the error, then each failed expectation with the values it saw."""
    if result.ok:
        return result.target
    lines = []
    if result.error:
        lines.append(result.error)
    for failure in result.failed:
        values = ", ".join(f"{k} = {_value(v)}" for k, v in failure.values.items())
        line = f"{failure.expect} → {values}" if values else failure.expect
        if failure.error:
            line += f" ({failure.error})"
        lines.append(line)
    return "\n".join(lines) if lines else result.target


def summary(results: Sequence[CheckResult]) -> Text:
    failed = sum(not r.ok for r in results)
    if failed:
        return Text(f"{failed} of {len(results)} checks failed", style="bold red")
    return Text(f"all {len(results)} checks passed", style="green")


def _value(value: Any) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)
