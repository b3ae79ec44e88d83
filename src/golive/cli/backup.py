"""`golive backup run|list|verify|restore|prune`: thin commands over ``golive.backup``, with
progress bars (bytes, rate, ETA) on stderr and exit codes: 0 done, 1 a backup or drill failed,
2 bad usage."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

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
    when,
)

if TYPE_CHECKING:
    from rich.progress import Progress as RichBar
    from rich.progress import TaskID

    from golive.config import LoadedConfig
    from golive.records import BackupEntry

backup = typer.Typer(
    help="Backups, restores, retention and restore drills (`backups:`).", no_args_is_help=True
)

NameArgument = Annotated[
    str | None,
    typer.Argument(
        help="A backup's name (default: every backup in the config).", show_default=False
    ),
]
BackupOption = Annotated[
    int | None,
    typer.Option(
        "--backup", help="A backup's id (default: the newest good one).", show_default=False
    ),
]


class Bars:
    """``golive.backup.model.Progress`` drawn as a Rich bar per phase on stderr."""

    def __init__(self, bar: RichBar, name: str) -> None:
        self.bar, self.name = bar, name
        self.task: TaskID | None = None

    def phase(self, name: str, total: int | None) -> None:
        if self.task is not None:
            self.bar.stop_task(self.task)
        self.task = self.bar.add_task(f"{self.name} {name}", total=total)

    def at(self, done: int) -> None:
        if self.task is not None:
            self.bar.update(self.task, completed=done)


@contextmanager
def bars(as_json: bool) -> Iterator[RichBar]:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=as_json or not err.is_terminal,
    ) as bar:
        yield bar


def _names(loaded: LoadedConfig, name: str | None) -> list[str]:
    from golive.backup.run import spec_of

    if name is not None:
        return [spec_of(loaded, name).name]
    return [b.name for b in loaded.config.backups]


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "kB", "MB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


@backup.command("run")
def backup_run(
    name: NameArgument = None,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Take a backup now (then apply its retention). Exit 0 all good, 1 one failed."""

    def command() -> int:
        from golive import settings
        from golive.backup.run import run_backup
        from golive.clock import SystemClock
        from golive.exceptions import BackupError

        loaded = load(config, env)
        rows: list[dict[str, Any]] = []
        with opened(loaded) as store, bars(as_json) as bar:
            for each in _names(loaded, name):
                try:
                    entry = asyncio.run(
                        run_backup(
                            loaded,
                            each,
                            store=store,
                            clock=SystemClock(),
                            environ=settings.environ(),
                            progress=Bars(bar, each),
                        )
                    )
                except BackupError as exc:
                    rows.append({"name": each, "state": "failed", "error": str(exc)})
                    if not as_json:
                        err.print(f"[red]✗[/red] {exc}", markup=True)
                    continue
                rows.append(entry.as_dict())
                if not as_json:
                    out.print(
                        f"[green]✓[/green] {each}: backup {entry.id} good, {_size(_stored(entry))}"
                        f" in {entry.seconds:.1f}s, {len(entry.files)} files → {entry.target}"
                    )
        if as_json:
            out.print_json(json.dumps(rows))
        return EXIT_OK if all(r["state"] == "good" for r in rows) else EXIT_FAILED

    raise typer.Exit(guarded(command))


@backup.command("list")
def backup_list(
    name: NameArgument = None,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """The catalog, newest first, and what breaks each backup's rpo / rto now."""

    def command() -> int:
        from golive.backup.health import problems
        from golive.backup.run import spec_of
        from golive.clock import SystemClock
        from golive.records import DRILL_EVIDENCE
        from golive.store.backups import backups

        loaded = load(config, env)
        now = SystemClock().now()
        entries: list[BackupEntry] = []
        health: dict[str, list[str]] = {}
        with opened(loaded) as store:
            for each in _names(loaded, name):
                found = backups(store, loaded.environment, name=each)
                entries += found
                drill = store.latest(DRILL_EVIDENCE, each)
                health[each] = problems(spec_of(loaded, each), found, drill, now)
        if as_json:
            out.print_json(
                json.dumps({"backups": [e.as_dict() for e in entries], "problems": health})
            )
            return EXIT_OK
        rows = [
            {
                "id": e.id,
                "name": e.name,
                "kind": e.kind,
                "state": e.state,
                "started": when(e.started_at),
                "size": _size(_stored(e)),
                "seconds": f"{e.seconds:.1f}",
                "verified": {True: "yes", False: "FAILED", None: "—"}[e.verified],
                "where": _where(e),
            }
            for e in entries
        ]
        print_rows(rows, False, list(rows[0]) if rows else ["id"])
        for each, trouble in health.items():
            for problem in trouble:
                out.print(f"[yellow]![/yellow] {each}: {problem}", markup=True)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@backup.command("verify")
def backup_verify(
    name: NameArgument = None,
    backup_id: BackupOption = None,
    to_time: Annotated[
        str | None,
        typer.Option(
            "--to-time",
            help="Recover to this moment (ISO 8601 with a zone, e.g. 2026-05-01T12:00:00Z):"
            " a point-in-time drill of a pgbackrest backup.",
            show_default=False,
        ),
    ] = None,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run a restore drill now: restore into a scratch database, check it, drop it. Exit 0
    passed, 1 failed."""

    def command() -> int:
        from golive import settings
        from golive.backup.drill import run_drill
        from golive.clock import SystemClock

        target_time = _moment(to_time) if to_time else None
        loaded = load(config, env)
        reports = []
        with opened(loaded) as store, bars(as_json) as bar:
            for each in _names(loaded, name):
                report = asyncio.run(
                    run_drill(
                        loaded,
                        each,
                        store=store,
                        clock=SystemClock(),
                        environ=settings.environ(),
                        backup_id=backup_id,
                        progress=Bars(bar, each),
                        target_time=target_time,
                    )
                )
                reports.append(report)
                if not as_json:
                    mark = "[green]✓[/green]" if report.ok else "[red]✗[/red]"
                    out.print(f"{mark} {each}: {report.reason}", markup=True)
                    for check in report.checks:
                        sign = "✓" if check.ok else "✗"
                        out.print(f"    {sign} {check.name}: {check.detail}", markup=False)
        if as_json:
            out.print_json(json.dumps([r.as_dict() for r in reports]))
        return EXIT_OK if all(r.ok for r in reports) else EXIT_FAILED

    raise typer.Exit(guarded(command))


def _stored(entry: BackupEntry) -> int:
    """Bytes the backup takes: a pgbackrest backup's in pgBackRest's repository."""
    return int(entry.source.get("repo_size") or entry.size)


def _where(entry: BackupEntry) -> str:
    """The stored files' place; a pgbackrest backup's data is its label in pgBackRest's repo."""
    label = entry.source.get("label")
    if entry.kind == "pgbackrest" and label:
        return f"pgbackrest {entry.source.get('stanza')}/{label}"
    return f"{entry.target}/{entry.key}"


def _moment(text: str) -> datetime:
    """``--to-time``'s value; a time without a zone or not ISO 8601 is a UsageError."""
    from golive.exceptions import UsageError

    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--to-time {text!r} is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise UsageError(f"--to-time {text!r} has no time zone: add Z or +HH:MM")
    return at


@backup.command("restore")
def backup_restore(
    name: Annotated[str, typer.Argument(help="The backup's name.")],
    into: Annotated[
        str,
        typer.Option(
            "--into",
            help="A new database's DSN (postgres; it must not exist) or a new folder.",
            show_default=False,
        ),
    ],
    backup_id: BackupOption = None,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Restore a backup into a new database or folder and leave it there."""

    def command() -> int:
        from golive import settings
        from golive.backup.drill import restore
        from golive.clock import SystemClock

        loaded = load(config, env)
        with opened(loaded) as store, bars(as_json) as bar:
            entry, seconds = asyncio.run(
                restore(
                    loaded,
                    name,
                    into=into,
                    store=store,
                    clock=SystemClock(),
                    environ=settings.environ(),
                    backup_id=backup_id,
                    progress=Bars(bar, name),
                )
            )
        shown = loaded.secrets.redact(into)
        if as_json:
            out.print_json(json.dumps({"backup_id": entry.id, "into": shown, "seconds": seconds}))
        else:
            out.print(
                f"[green]✓[/green] restored backup {entry.id} of {name} into {shown} in {seconds:.1f}s"
            )
        return EXIT_OK

    raise typer.Exit(guarded(command))


@backup.command("prune")
def backup_prune(
    name: NameArgument = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what retention would delete; delete nothing.")
    ] = False,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Apply retention: delete the backups `retention:` does not keep (never the newest
    verified one)."""

    def command() -> int:
        from golive import settings
        from golive.backup.run import prune

        loaded = load(config, env)
        gone = []
        with opened(loaded) as store:
            for each in _names(loaded, name):
                gone += asyncio.run(
                    prune(loaded, each, store=store, environ=settings.environ(), dry_run=dry_run)
                )
        verb = "would delete" if dry_run else "deleted"
        if as_json:
            out.print_json(
                json.dumps(
                    {"dry_run": dry_run, verb.replace(" ", "_"): [e.as_dict() for e in gone]}
                )
            )
            return EXIT_OK
        for e in gone:
            out.print(f"{verb} backup {e.id} of {e.name} ({e.state}, {when(e.started_at)})")
        if not gone:
            out.print("nothing to delete: every backup is kept by retention")
        return EXIT_OK

    raise typer.Exit(guarded(command))
