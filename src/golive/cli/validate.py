"""``golive validate``: load the config and say what it holds, or exactly what is wrong."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from golive.cli.common import EXIT_OK, ConfigOption, EnvOption, JsonOption, guarded, load, out

if TYPE_CHECKING:
    from golive.config import LoadedConfig


def validate(
    config: ConfigOption = None, env: EnvOption = None, as_json: JsonOption = False
) -> None:
    """Check the config file; exit 0 with a summary, or 2 with FILE:LINE:COL errors."""

    def command() -> int:
        from golive.alerts import unsupported_rules
        from golive.config.stages import SECTIONS, not_yet_supported

        loaded = load(config, env)
        cfg = loaded.config
        pending = not_yet_supported(cfg)
        rules = unsupported_rules(loaded)
        later = loaded.later_checks()
        counts = {s.key: s.count(cfg) for s in SECTIONS}
        warnings = _backup_warnings(loaded)
        if as_json:
            out.print_json(
                json.dumps(
                    {
                        "valid": True,
                        "file": str(loaded.path),
                        "project": cfg.project,
                        "environment": loaded.environment,
                        "sections": counts,
                        "not_yet_supported": [s.key for s, _ in pending],
                        "unsupported_alerts": rules,
                        "unsupported_checks": later,
                        "warnings": warnings,
                    }
                )
            )
            return EXIT_OK
        out.print(
            f"[green]✓[/green] {loaded.path} is valid — project [bold]{cfg.project}[/bold], "
            f"environment [bold]{loaded.environment}[/bold]"
        )
        table = Table(show_edge=False, pad_edge=False, show_header=False)
        table.add_column("section")
        table.add_column("count", justify="right")
        table.add_column("status")
        for section in SECTIONS:
            if counts[section.key]:
                status = (
                    "ready"
                    if section.supported
                    else f"parsed; runs with the {section.stage} stage (not yet supported)"
                )
                table.add_row(section.key, str(counts[section.key]), status)
        out.print(table)
        kinds = sorted({c.kind for c in cfg.checks})
        out.print(
            f"probes: {', '.join(kinds) or 'none'} · store: {loaded.secrets.redact(cfg.store)}"
            f" · secrets kept out of output: {len(loaded.secrets)}"
        )
        if pending:
            out.print(f"[yellow]not yet supported:[/yellow] {', '.join(s.key for s, _ in pending)}")
        for rule in rules:
            out.print(f"[yellow]not yet supported:[/yellow] alert {rule}", markup=True)
        for check in later:
            out.print(f"[yellow]not yet supported:[/yellow] {check}", markup=True)
        for warning in warnings:
            out.print(f"[yellow]warning:[/yellow] {warning}", markup=True)
        return EXIT_OK

    raise typer.Exit(guarded(command))


def _backup_warnings(loaded: LoadedConfig) -> list[str]:
    """``FILE:LINE:COL: why`` for each backup whose schedule cannot meet its rpo."""
    from golive.backup.health import schedule_advice
    from golive.clock import SystemClock

    now = SystemClock().now()
    found = []
    for i, spec in enumerate(loaded.config.backups):
        advice = schedule_advice(spec, now)
        if advice is not None:
            where = loaded.positions.value(("backups", i, "rpo")) if loaded.positions else None
            found.append(f"{where}: {advice}" if where else advice)
    return found
