"""``golive check``: run checks once, show the verdicts, keep the evidence."""

from __future__ import annotations

import asyncio
import gc
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from golive.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    ConfigOption,
    EnvOption,
    JsonOption,
    err,
    guarded,
    load,
    opened,
    out,
)

if TYPE_CHECKING:
    from golive.engine import CheckResult


def check(
    names: Annotated[
        list[str] | None, typer.Argument(help="Checks to run (default: all).", show_default=False)
    ] = None,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
    junit_file: Annotated[
        Path | None,
        typer.Option("--junit", help="Also write a JUnit XML report here.", show_default=False),
    ] = None,
) -> None:
    """Run the configured checks once, concurrently, and report. Exit 0 all pass, 1 any fail, 2 bad usage."""

    def command() -> int:
        from golive.cli.render import results_table, summary
        from golive.clock import SystemClock
        from golive.engine import check_once, select_checks

        loaded = load(config, env)
        selected = select_checks(loaded, names or [])
        if not names:
            for later in loaded.later_checks():
                err.print(f"[yellow]not yet supported:[/yellow] {later}")
        # Everything loaded so far (modules, the config) lives as long as the process: move it out
        # of the collector's way, or each full collection rescans ~150k objects mid-run.
        gc.freeze()
        with opened(loaded) as store:
            if as_json or not err.is_terminal:
                results = asyncio.run(
                    check_once(loaded, selected, clock=SystemClock(), store=store)
                )
            else:
                with err.status(f"running {len(selected)} checks…"):
                    results = asyncio.run(
                        check_once(loaded, selected, clock=SystemClock(), store=store)
                    )
        if junit_file is not None:
            write_junit(junit_file, results)
        if as_json:
            out.print_json(json.dumps([r.as_dict() for r in results], default=str))
        else:
            out.print(results_table(results))
            out.print(summary(results))
        return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED

    raise typer.Exit(guarded(command))


def write_junit(path: Path, results: list[CheckResult]) -> None:
    from golive import junit
    from golive.cli.render import details

    junit.write(
        path,
        "golive check",
        [
            junit.Case(
                name=r.name,
                classname=r.component or r.kind,
                seconds=(r.latency_ms or 0) / 1000,
                failure=None if r.ok else (r.error or f"{len(r.failed)} expectation(s) failed"),
                details=details(r),
            )
            for r in results
        ],
    )
