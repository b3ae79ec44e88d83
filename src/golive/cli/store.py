"""`golive store leases`: who leads each role of a scaled golive, read from the store;
`golive store migrate --to URL`: copy the config's store (SQLite, usually) into an empty
PostgreSQL database, verify it, and say what to put in the config."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
    print_rows,
)

if TYPE_CHECKING:
    from golive.store.copy import CopyReport

store = typer.Typer(
    help="The store itself: leader leases; moving it from SQLite to PostgreSQL.",
    no_args_is_help=True,
)


@store.command("leases")
def store_leases(
    config: ConfigOption = None, env: EnvOption = None, as_json: JsonOption = False
) -> None:
    """Each leader lease: its holder, epoch, expiry and whether it is live now."""

    def command() -> int:
        from golive.clock import SystemClock
        from golive.store.leases import leases

        with opened(load(config, env)) as opened_store:
            found = leases(opened_store)
        now = SystemClock().now()
        rows = [
            {
                "name": lease.name,
                "holder": lease.holder,
                "epoch": lease.epoch,
                "expires_at": lease.expires_at.isoformat(),
                "live": lease.expires_at > now,
            }
            for lease in found
        ]
        print_rows(rows, as_json, ["name", "holder", "epoch", "expires_at", "live"])
        return EXIT_OK

    raise typer.Exit(guarded(command))


@store.command("migrate")
def store_migrate(
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="An empty PostgreSQL database: postgresql+psycopg://USER[:PASSWORD]@HOST/DB.",
            show_default=False,
        ),
    ],
    batch: Annotated[
        int, typer.Option("--batch", help="Rows read and written per statement.", min=1)
    ] = 5000,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Copy every table of the config's `store` into an empty PostgreSQL database in one
    transaction, keeping ids, and verify counts and sampled rows on both sides. Stop `golive
    serve` first. Exit 0 copied and verified, 1 a table differs (nothing kept), 2 bad input
    (bad URL, unreachable or non-empty target)."""

    def command() -> int:
        from golive.store.copy import copy_store, redact, target_url

        url = target_url(to)  # before opening anything: a bad URL is exit 2 at once
        loaded = load(config, env)
        with opened(loaded) as source, _progress() as progress:
            report = copy_store(source, url, batch=batch, progress=progress)
        if as_json:
            out.print_json(json.dumps(_as_json(report)))
        else:
            _show(report, redact(url))
        return EXIT_OK if report.committed else EXIT_FAILED

    raise typer.Exit(guarded(command))


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    """A Rich bar per table on a terminal; plain throttled lines otherwise (both on stderr,
    so ``--json`` keeps stdout to itself)."""
    if not err.is_terminal:
        from golive.store.db import Progress as Lines

        yield Lines(lambda line: err.print(line, markup=False), label="store copy")
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description:<24}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,  # the table printed at the end replaces the bars
    ) as bar:

        def update(table: str, done: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = bar.add_task(table, total=total)
            bar.update(tasks[table], completed=done)

        yield update


def _as_json(report: CopyReport) -> dict[str, object]:
    return {
        "target": report.target,
        "committed": report.committed,
        "rows": report.rows,
        "seconds": round(report.seconds, 3),
        "mismatched": report.mismatched,
        "tables": [t.as_json() for t in report.tables],
    }


def _show(report: CopyReport, shown: str) -> None:
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    for column in ("table", "rows", "verified"):
        table.add_column(column, justify="right" if column == "rows" else "left")
    for check in report.tables:
        rows = f"{check.source_rows:,}"
        if check.target_rows != check.source_rows:
            rows += f" → {check.target_rows:,}"
        table.add_row(check.name, rows, "yes" if check.verified else "[bold red]NO[/bold red]")
    out.print(table)
    if not report.committed:
        err.print(
            f"[bold red]COPY NOT VERIFIED:[/bold red] {', '.join(report.mismatched)} differ"
            f" between the store and {shown}; the copy was rolled back (the target holds no"
            " rows). Was golive still writing to the store? Stop it and run this again.",
            markup=True,
        )
        return
    out.print(
        f"copied {report.rows:,} rows in {len(report.tables)} tables to {shown}"
        f" in {report.seconds:.1f}s; every table verified.",
        markup=False,
    )
    out.print("Now point golive at it, in the config file:", markup=False)
    out.print(f"  store: {_suggested(shown)}", markup=False)
    out.print("and start golive again; keep the old SQLite file until you are happy.", markup=False)


def _suggested(shown: str) -> str:
    """The config line: a password is read from the environment, never written in the file."""
    from golive.store.copy import MASK

    return shown.replace(f":{MASK}@", ":${env:GOLIVE_STORE_PASSWORD}@")
