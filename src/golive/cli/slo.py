"""``golive slo``: the SLOs now (attainment, budget, burn rates), and OpenSLO v1 export/import."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from golive.cli.common import EXIT_OK, ConfigOption, EnvOption, JsonOption, fail, guarded, load, out

OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write here (default: stdout).", show_default=False),
]


class _ShowByDefault(TyperGroup):
    """``golive slo [NAME]`` runs ``show``; ``export`` and ``import`` are subcommands."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["show", *args]
        return super().parse_args(ctx, args)


slo = typer.Typer(
    cls=_ShowByDefault,
    help="SLOs: `golive slo [NAME] [--json]` shows attainment, error budget and burn rates;"
    " OpenSLO v1 export and import.",
)


@slo.command("show", hidden=True)
def slo_show(
    name: Annotated[str | None, typer.Argument(help="One SLO (default: all).")] = None,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Each SLO over its window: objective, attainment, budget remaining, burn rate per alert
    window, when the budget runs out at the current rate."""

    def command() -> int:
        from golive.cli.common import opened
        from golive.clock import SystemClock
        from golive.exceptions import UsageError
        from golive.slo.sli import Reader
        from golive.slo.status import evaluate

        loaded = load(config, env)
        chosen = loaded.config.slos
        if name is not None:
            chosen = [s for s in chosen if s.name == name]
            if not chosen:
                raise UsageError.unknown("SLO", name, [s.name for s in loaded.config.slos])
        now = SystemClock().now()
        with opened(loaded) as store:
            statuses = [evaluate(s, Reader.of(store), now) for s in chosen]
        if as_json:
            out.print_json(json.dumps([s.as_json() for s in statuses]))
            return EXIT_OK
        _table([s.as_json() for s in statuses])
        return EXIT_OK

    raise typer.Exit(guarded(command))


def _table(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    for column in ("slo", "objective", "window", "attained", "budget left", "burn", "exhausted"):
        table.add_column(column)
    notes = []
    for row in rows:
        share = row["budget"]["remaining_share"]
        burn = " ".join(f"{w}:{_rate(row['burn_rates'][w])}" for w in row["page_windows"])
        table.add_row(
            row["name"],
            _percent(row["objective"]),
            row["window"],
            _percent(row["attainment"]),
            _percent(share),
            burn,
            (row["exhausted_at"] or "—")[:16].replace("T", " "),
        )
        if row["note"]:
            notes.append(f"{row['name']}: {row['note']}")
    out.print(table)
    for note in notes:
        out.print(note, markup=False)


def _percent(value: float | str | None) -> str:
    if not isinstance(value, float):
        return "—" if value is None else str(value)
    return f"{value * 100:.3f}".rstrip("0").rstrip(".") + "%"


def _rate(value: float | str | None) -> str:
    return "—" if value is None else value if isinstance(value, str) else f"{value:.2f}x"


@slo.command("export")
def slo_export(
    openslo: Annotated[
        bool, typer.Option("--openslo", help="OpenSLO v1 YAML (the only format).")
    ] = False,
    output: OutputOption = None,
    config: ConfigOption = None,
    env: EnvOption = None,
) -> None:
    """Write the SLOs and their burn-rate alert rules as OpenSLO v1 (SLI, SLO, AlertPolicy)."""

    def command() -> int:
        from golive.slo.openslo import export

        if not openslo:
            fail("choose a format: --openslo")
        loaded = load(config, env)
        text = export(loaded.config.slos, loaded.config.alerts, service=loaded.config.project)
        _write(text, output)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@slo.command("import")
def slo_import(
    file: Annotated[Path, typer.Argument(help="OpenSLO v1 YAML file.", show_default=False)],
    output: OutputOption = None,
) -> None:
    """Turn OpenSLO v1 SLOs (and burn-rate alert policies) into `slos:` and `alerts:` YAML;
    what cannot map is listed with file:line (exit 2)."""

    def command() -> int:
        from golive.slo.openslo import parse, render

        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            fail(f"cannot read {file}: {exc.strerror or exc}")
        slos, alerts = parse(text, file)
        _write(render(slos, alerts), output)
        return EXIT_OK

    raise typer.Exit(guarded(command))


def _write(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    out.print(f"wrote {output}")
