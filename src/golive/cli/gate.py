"""`golive gate`: GO / NO-GO from fresh evidence; `gate sign`, `gate signoffs`, `gate history`."""

from __future__ import annotations

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
    from golive.gate.model import GateReport

gate = typer.Typer(help="The readiness gate: GO / NO-GO from fresh evidence, and sign-offs.")

STYLE = {
    "pass": "green",
    "fail": "bold red",
    "stale": "yellow",
    "unsigned": "yellow",
    "unsupported": "magenta",
}


@gate.callback(invoke_without_command=True)
def gate_run(
    ctx: typer.Context,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
    junit_file: Annotated[
        Path | None, typer.Option("--junit", help="Also write JUnit XML here.", show_default=False)
    ] = None,
    markdown_file: Annotated[
        Path | None,
        typer.Option(
            "--markdown", help="Also write the sign-off document here.", show_default=False
        ),
    ] = None,
    release: Annotated[
        str | None,
        typer.Option(
            "--release",
            help="The version being gated (shown in reports, kept in the history).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Judge every gate item and say GO or NO-GO. Exit 0 GO, 1 NO-GO, 2 bad usage."""
    if ctx.invoked_subcommand is not None:
        return

    def command() -> int:
        import asyncio

        from golive import settings
        from golive.clock import SystemClock
        from golive.gate.report import markdown, write_junit
        from golive.gate.run import run_gate

        loaded = load(config, env)
        with opened(loaded) as store:
            run = run_gate(
                loaded,
                store=store,
                clock=SystemClock(),
                environ=settings.environ(),
                release=release,
            )
            if as_json or not err.is_terminal:
                report = asyncio.run(run)
            else:
                with err.status(f"judging {len(loaded.config.gate)} readiness items…"):
                    report = asyncio.run(run)
        if junit_file is not None:
            write_junit(junit_file, report)
        if markdown_file is not None:
            markdown_file.parent.mkdir(parents=True, exist_ok=True)
            markdown_file.write_text(markdown(report), encoding="utf-8")
        if as_json:
            out.print_json(json.dumps(report.as_dict(), default=str))
        else:
            _print(report)
        return EXIT_OK if report.verdict == "GO" else EXIT_FAILED

    raise typer.Exit(guarded(command))


def _print(report: GateReport) -> None:
    from rich.table import Table
    from rich.text import Text

    from golive.gate.report import CATEGORIES

    if not report.items:
        out.print("no gate items in this config: nothing is proven, so NO-GO (add `gate:` items)")
    for category in CATEGORIES:
        items = [i for i in report.items if i.category == category]
        if not items:
            continue
        table = Table(
            title=category.capitalize(), title_justify="left", show_edge=False, pad_edge=False
        )
        for column in ("item", "status", "reason"):
            table.add_column(column)
        for item in items:
            name = item.name + ("" if item.required else " (optional)")
            reason = "\n".join([item.reason, *(f"⚠ {w}" for w in item.warnings)])
            table.add_row(name, Text(item.status.upper(), style=STYLE[item.status]), reason)
        out.print(table)
        out.print()
    verdict = report.verdict
    style = "bold green" if verdict == "GO" else "bold red"
    blocking = f" — {len(report.blocking)} required item(s) not proven" if report.blocking else ""
    out.print(Text(f"{verdict}{blocking}", style=style))


@gate.command("sign")
def gate_sign(
    item: Annotated[str, typer.Argument(help="The gate item's name, as in the config.")],
    by: Annotated[str, typer.Option("--by", help="Who signs.")],
    note: Annotated[str, typer.Option("--note", help="What was reviewed.")] = "",
    config: ConfigOption = None,
    env: EnvOption = None,
) -> None:
    """Sign a manual gate item; it counts until its valid_for runs out."""

    def command() -> int:
        from golive.clock import SystemClock
        from golive.gate.signoffs import sign

        loaded = load(config, env)
        with opened(loaded) as store:
            view = sign(store, loaded, item, by=by, note=note, now=SystemClock().now())
        out.print(
            f'"{view.item}" signed by {view.signed_by}, valid until {view.expires_at:%Y-%m-%d %H:%M UTC}'
        )
        return EXIT_OK

    raise typer.Exit(guarded(command))


@gate.command("signoffs")
def gate_signoffs(
    config: ConfigOption = None, env: EnvOption = None, as_json: JsonOption = False
) -> None:
    """Every sign-off of this environment, newest first."""

    def command() -> int:
        from golive.clock import SystemClock
        from golive.store.gate import signoffs

        loaded = load(config, env)
        with opened(loaded) as store:
            views = signoffs(store, loaded.environment)
        now = SystemClock().now()
        rows = [
            {
                "item": v.item,
                "signed_by": v.signed_by,
                "signed_at": v.signed_at.isoformat(),
                "expires_at": v.expires_at.isoformat(),
                "valid": v.valid(now),
                "note": v.note,
            }
            for v in views
        ]
        if as_json:
            out.print_json(json.dumps(rows))
            return EXIT_OK
        from rich.table import Table

        table = Table(show_edge=False, pad_edge=False)
        for column in ("item", "signed by", "signed", "expires", "valid", "note"):
            table.add_column(column)
        for r in rows:
            table.add_row(
                str(r["item"]),
                str(r["signed_by"]),
                str(r["signed_at"])[:16],
                str(r["expires_at"])[:16],
                "yes" if r["valid"] else "EXPIRED",
                str(r["note"]),
            )
        out.print(table)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@gate.command("history")
def gate_history(
    limit: Annotated[int, typer.Option("--limit", help="How many verdicts.")] = 20,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Past verdicts of this environment, newest first."""

    def command() -> int:
        from golive.store.gate import gate_runs

        loaded = load(config, env)
        with opened(loaded) as store:
            runs = gate_runs(store, loaded.environment, limit=limit)
        rows = [
            {
                "at": r.at.isoformat(),
                "verdict": r.verdict,
                "release": r.release,
                "failing": [i["name"] for i in r.items if i["required"] and not i["ok"]],
            }
            for r in runs
        ]
        if as_json:
            out.print_json(json.dumps(rows))
        else:
            for r in rows:
                failing = ", ".join(r["failing"]) if r["failing"] else ""
                release = r["release"] or "-"
                out.print(f"{str(r['at'])[:19]}  {r['verdict']:<5}  {release}  {failing}")
        return EXIT_OK

    raise typer.Exit(guarded(command))
