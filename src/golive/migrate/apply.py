"""``golive migrate apply NAME -- COMMAND``: a migration that can be undone.

1. Back up the ``backups:`` entry ``NAME`` (a PostgreSQL one) with ``run_backup``; if the
   backup fails, the migration is not run.
2. Run ``COMMAND`` (the user's own: ``./manage.py migrate``, ``alembic upgrade head``,
   ``psql -f``), its output streamed to ``echo`` and its last lines kept.
3. Run the integrity checks on the live database (``integrity.after_migration``).
4. When the command failed or a check did: restore the backup into a new database, check it
   against the counts taken at backup time, then swap names: the source database is renamed
   ``<name>_failed_<stamp>`` (kept for a post-mortem, nothing is dropped) and the restored one
   takes the source's name. Writes made since the backup are in the kept database only: run
   migrations with the app stopped or read-only. ``restore_on_failure=False`` leaves the
   database as the migration left it and says how to restore.
5. Store the outcome as evidence (kind ``migration``, subject ``NAME``).
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from golive.backup import pgtools
from golive.backup.drill import restore
from golive.backup.model import Check
from golive.backup.run import run_backup, spec_of
from golive.clock import Clock
from golive.config import LoadedConfig
from golive.exceptions import BackupError, UsageError
from golive.migrate import integrity
from golive.records import EvidenceRecord, RunSummary
from golive.store import Store

KEPT_LINES = 40  # of the command's output, in the report and the evidence
EVIDENCE_FOR = timedelta(days=30)


@dataclass(frozen=True)
class ApplyReport:
    """What ``apply_migration`` did."""

    name: str
    command: str  # as shown: secrets masked
    ok: bool
    backup_id: int
    exit_code: int | None  # None: the command could not start
    seconds: float
    checks: tuple[Check, ...] = ()
    restored: bool = False  # the source database now holds the backup again
    kept_as: str | None = None  # the database the failed migration left, renamed
    restore_checks: tuple[Check, ...] = ()
    error: str | None = None  # why it failed, in one line
    output: tuple[str, ...] = ()  # the command's last lines
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


async def apply_migration(
    loaded: LoadedConfig,
    name: str,
    command: Sequence[str],
    *,
    store: Store,
    clock: Clock,
    environ: Mapping[str, str],
    restore_on_failure: bool = True,
    echo: Callable[[str], None] = lambda line: None,
) -> ApplyReport:
    """Back up ``name``, run ``command``, check the database, restore it when anything failed."""
    spec = spec_of(loaded, name)
    if spec.postgres is None:
        raise UsageError(
            f"golive migrate apply needs a PostgreSQL backup: backup {name} is not `postgres:`"
        )
    if not command:
        raise UsageError("give the migration command after --: golive migrate apply NAME -- CMD")
    dsn = spec.postgres.dsn
    expect = spec.verify.expect if spec.verify else []
    shown = loaded.secrets.redact(subprocess.list2cmdline(list(command)))
    try:
        before = await asyncio.to_thread(integrity.tables, dsn)
        entry = await run_backup(
            loaded, name, store=store, clock=clock, environ=environ, apply_retention=False
        )
    except BackupError as exc:
        raise BackupError(f"{exc}; the migration was not run") from None
    started = time.monotonic()
    exit_code, output, error = await asyncio.to_thread(
        _run, command, environ, lambda line: echo(loaded.secrets.redact(line))
    )
    output = tuple(loaded.secrets.redact(line) for line in output)
    checks: list[Check] = []
    if exit_code == 0:
        checks = await asyncio.to_thread(integrity.after_migration, dsn, before, expect)
        failed = [c for c in checks if not c.ok]
        if failed:
            error = "integrity: " + "; ".join(f"{c.name}: {c.detail}" for c in failed)
    elif exit_code is not None:
        error = f"the migration command exited {exit_code}"
    seconds = time.monotonic() - started
    report = ApplyReport(
        name, shown, error is None, entry.id, exit_code, seconds, tuple(checks), error=error,
        output=output,
    )  # fmt: skip
    if error is not None and exit_code is not None and restore_on_failure:
        report = await _restore(loaded, report, dsn, entry.source, store, clock, environ)
    _evidence(store, loaded, clock, report)
    return report


def _run(
    command: Sequence[str], environ: Mapping[str, str], echo: Callable[[str], None]
) -> tuple[int | None, tuple[str, ...], str | None]:
    """Run ``command`` with golive's environment, streaming and keeping its output."""
    tail: deque[str] = deque(maxlen=KEPT_LINES)
    try:
        process = subprocess.Popen(
            list(command),
            env=dict(environ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
    except OSError as exc:
        return None, (), f"the migration command could not start: {exc.strerror}: {command[0]}"
    with process:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.rstrip("\n")
            tail.append(line)
            echo(line)
    return process.returncode, tuple(tail), None


async def _restore(
    loaded: LoadedConfig,
    report: ApplyReport,
    dsn: str,
    source: Mapping[str, Any],
    store: Store,
    clock: Clock,
    environ: Mapping[str, str],
) -> ApplyReport:
    """Restore the backup into a new database, check it, then swap it in under the source's
    name; the failed database is kept, renamed."""
    stamp = clock.now().strftime("%Y%m%d%H%M%S")
    database = pgtools.database_of(dsn)
    restored_name = _identifier(database, "restored", stamp)
    kept = _identifier(database, "failed", stamp)
    restored_dsn = pgtools.with_database(dsn, restored_name)
    try:
        await restore(
            loaded, report.name, into=restored_dsn, store=store, clock=clock, environ=environ,
            backup_id=report.backup_id,
        )  # fmt: skip
        checks = await asyncio.to_thread(integrity.as_backed_up, restored_dsn, source)
        if not all(c.ok for c in checks):
            await asyncio.to_thread(pgtools.drop_database, dsn, restored_name)
            why = "; ".join(f"{c.name}: {c.detail}" for c in checks if not c.ok)
            raise BackupError(f"the restored copy does not match the backup ({why})")
        try:
            await asyncio.to_thread(_swap, dsn, database, kept, restored_name)
        except BackupError as exc:
            raise BackupError(f"{exc} (the restored copy is database {restored_name})") from None
    except BackupError as exc:
        error = f"{report.error}; RESTORE FAILED: {exc}; the database is as the migration left it"
        return replace(report, error=loaded.secrets.redact(error))
    return replace(report, restored=True, kept_as=kept, restore_checks=tuple(checks))


def _identifier(database: str, what: str, stamp: str) -> str:
    """``<database>_<what>_<stamp>``, shortened to PostgreSQL's 63 bytes from the database's
    part, so the stamp stays whole."""
    return f"{database.encode()[:40].decode(errors='ignore')}_{what}_{stamp}"


def _swap(dsn: str, database: str, kept: str, restored: str) -> None:
    """Rename ``database`` to ``kept`` and ``restored`` to ``database``: the source's sessions
    are ended and new ones refused while it is renamed; a step that fails undoes the ones
    before it, so the source keeps its name and takes connections again."""
    import psycopg
    from psycopg import sql

    source, aside, fresh = (sql.Identifier(n) for n in (database, kept, restored))
    rename = sql.SQL("ALTER DATABASE {} RENAME TO {}")
    allow = sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}")
    with pgtools.connect(pgtools.with_database(dsn, "postgres"), autocommit=True) as connection:
        done: list[sql.Composed] = []  # the undo of each step taken
        try:
            connection.execute(allow.format(source, sql.SQL("false")))
            done.append(allow.format(source, sql.SQL("true")))
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            )
            connection.execute(rename.format(source, aside))
            done.append(rename.format(aside, source))
            connection.execute(rename.format(fresh, source))
        except psycopg.Error as exc:
            for undo in reversed(done):
                with contextlib.suppress(psycopg.Error):
                    connection.execute(undo)
            raise BackupError(f"cannot swap the restored database in: {exc}") from None
        connection.execute(allow.format(aside, sql.SQL("true")))


def _evidence(store: Store, loaded: LoadedConfig, clock: Clock, report: ApplyReport) -> None:
    now = clock.now()
    values = {
        "command": report.command,
        "backup_id": report.backup_id,
        "exit_code": report.exit_code,
        "seconds": round(report.seconds, 3),
        "restored": report.restored,
        "kept_as": report.kept_as,
        "checks": [c.as_dict() for c in report.checks],
        "restore_checks": [c.as_dict() for c in report.restore_checks],
        "output": list(report.output),
    }
    record = EvidenceRecord(
        kind="migration",
        subject=report.name,
        ok=report.ok,
        taken_at=now,
        expires_at=now + EVIDENCE_FOR,
        latency_ms=report.seconds * 1000,
        error=report.error,
        values=values,
        failed=[c.as_dict() for c in report.failed],
    )
    store.record_run(RunSummary("migrate apply", loaded.environment, now, now), [record])
