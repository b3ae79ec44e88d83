"""PostgreSQL physical backups through pgBackRest: golive runs ``pgbackrest backup``, reads
``pgbackrest info`` into its catalog (label, type, sizes, WAL range, times), keeps that
manifest in the backup's target, and drills by ``pgbackrest restore`` into a scratch data
directory that a throwaway PostgreSQL (no TCP, a private socket) recovers, to the backup's end
or to a time you name (point in time, through the archived WAL), before the same checks as
logical drills run in it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from golive import settings
from golive.backup import pgtools
from golive.backup.kinds import DrillContext
from golive.backup.model import Check, Progress
from golive.backup.scratchpg import ScratchPostgres
from golive.config.ship import Backup, PgBackRestBackup
from golive.exceptions import BackupError

MANIFEST = "pgbackrest.json"
SERVICE_USER = "postgres"  # owns the cluster's files; pgBackRest and postgres run as it under root


def _spec(spec: Backup) -> PgBackRestBackup:
    assert spec.pgbackrest is not None
    return spec.pgbackrest


def run_as() -> str | None:
    """The user pgBackRest and scratch servers run as: ``postgres`` when golive runs as root."""
    return SERVICE_USER if os.geteuid() == 0 else None


def command(pg: PgBackRestBackup, base_dir: Path, *args: str) -> list[str]:
    """``pgbackrest [--config=...] --stanza=S [--repo=N] ARGS``."""
    binary = shutil.which("pgbackrest")
    if binary is None:
        raise BackupError("pgbackrest is not installed (Debian package pgbackrest)")
    cmd = [binary]
    if pg.config:
        cmd.append(f"--config={(base_dir / pg.config).resolve()}")
    cmd.append(f"--stanza={pg.stanza}")
    if pg.repo is not None:
        cmd.append(f"--repo={pg.repo}")
    return cmd + list(args)


def run(pg: PgBackRestBackup, base_dir: Path, *args: str) -> str:
    """Run pgBackRest; its stdout, or a BackupError with the end of what it said."""
    try:
        done = subprocess.run(
            command(pg, base_dir, *args),
            env=settings.command_environ(),
            capture_output=True,
            text=True,
            user=run_as(),
            cwd="/",
            check=False,
        )
    except OSError as exc:
        raise BackupError(f"cannot run pgbackrest: {exc.strerror or exc}") from None
    if done.returncode != 0:
        said = pgtools.last_lines(done.stderr or done.stdout)
        raise BackupError(f"pgbackrest {args[0]} failed (exit {done.returncode}): {said}")
    return done.stdout


def info(pg: PgBackRestBackup, base_dir: Path) -> dict[str, Any]:
    """The stanza's part of ``pgbackrest info --output=json``."""
    stanzas = json.loads(run(pg, base_dir, "info", "--output=json"))
    found = next((s for s in stanzas if s.get("name") == pg.stanza), None)
    if found is None:
        raise BackupError(f"pgbackrest knows no stanza {pg.stanza}")
    status = found.get("status", {})
    if status.get("code", 0) not in (0, 2):  # 2: no backup yet
        raise BackupError(f"pgbackrest stanza {pg.stanza}: {status.get('message', 'error')}")
    return dict(found)


def facts(entry: dict[str, Any], stanza: dict[str, Any]) -> dict[str, Any]:
    """One backup of ``pgbackrest info`` as the catalog's source facts."""
    stamp = entry.get("timestamp", {})
    sizes = entry.get("info", {})
    repo = sizes.get("repository", {})
    wal = entry.get("archive", {})
    archives = stanza.get("archive", [])
    return {
        "stanza": stanza.get("name"),
        "label": entry["label"],
        "type": entry.get("type"),
        "prior": entry.get("prior"),
        "started": _iso(stamp.get("start")),
        "stopped": _iso(stamp.get("stop")),
        "wal_start": wal.get("start"),
        "wal_stop": wal.get("stop"),
        "size": sizes.get("size"),
        "delta": sizes.get("delta"),
        "repo_size": repo.get("size"),
        "repo_delta": repo.get("delta"),
        "archive_max": archives[-1].get("max") if archives else None,
        "postgres": (stanza.get("db") or [{}])[-1].get("version"),
    }


def _iso(epoch: int | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat()


def _labels(found: dict[str, Any]) -> list[str]:
    return [b["label"] for b in found.get("backup", [])]


class PgBackRestKind:
    key = "pgbackrest"

    def describe(self, spec: Backup) -> str:
        pg = _spec(spec)
        return f"pgbackrest stanza {pg.stanza}" + (f" repo {pg.repo}" if pg.repo else "")

    def dump(self, spec: Backup, into: Path, base_dir: Path, progress: Progress) -> dict[str, Any]:
        pg = _spec(spec)
        before = set(_labels(info(pg, base_dir)))
        progress.phase("pgbackrest backup", None)
        run(pg, base_dir, "backup", f"--type={pg.type}")
        after = info(pg, base_dir)
        new = [b for b in after.get("backup", []) if b["label"] not in before]
        if not new:
            raise BackupError("pgbackrest backup ended but pgbackrest info lists no new backup")
        source = facts(new[-1], after)
        (into / MANIFEST).write_text(json.dumps(new[-1], indent=2, sort_keys=True))
        progress.at(int(source.get("repo_delta") or 0))
        return source

    def restore(self, spec: Backup, folder: Path, into: str, base_dir: Path) -> float:
        """Restore the backup into the new data directory ``into`` (recovery to the backup's
        end happens when it is started)."""
        target = Path(into)
        if target.exists() and any(target.iterdir()):
            raise BackupError(f"{into} is not empty; name a new folder")
        label = _label(folder)
        target.mkdir(parents=True, exist_ok=True, mode=0o700)
        _own(target)
        started = time.monotonic()
        run(_spec(spec), base_dir, f"--pg1-path={target}", "restore", f"--set={label}")
        return time.monotonic() - started

    def drill(self, folder: Path, ctx: DrillContext) -> tuple[float, list[Check]]:
        pg = _spec(ctx.spec)
        label = _label(folder)
        at = ctx.target_time
        recovery = (
            ["--type=immediate"] if at is None else ["--type=time", f"--target={_pg_time(at)}"]
        )
        scratch = Path(tempfile.mkdtemp(prefix="golive-drill-"))
        try:
            data = scratch / "data"
            data.mkdir(mode=0o700)
            _own(scratch)
            started = time.monotonic()
            run(
                pg,
                ctx.base_dir,
                f"--pg1-path={data}",
                "restore",
                f"--set={label}",
                *recovery,
                "--target-action=promote",
                "--archive-mode=off",
            )
            with ScratchPostgres(scratch, data, user=run_as()) as server:
                server.wait_recovered(timeout=_timeout(ctx))
                seconds = time.monotonic() - started
                checks = [_recovered(server, at)]
                checks += _integrity(server.dsn(pg.database), ctx)
            return seconds, checks
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def _label(folder: Path) -> str:
    try:
        return str(json.loads((folder / MANIFEST).read_text())["label"])
    except (OSError, ValueError, KeyError):
        raise BackupError(f"no pgBackRest manifest ({MANIFEST}) in the backup") from None


def _own(path: Path) -> None:
    user = run_as()
    if user is not None:
        subprocess.run(["chown", "-R", f"{user}:", str(path)], check=True)


def _pg_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f+00")


def _timeout(ctx: DrillContext) -> float:
    return max(600.0, ctx.spec.rto.total_seconds() if ctx.spec.rto else 0.0)


def _recovered(server: ScratchPostgres, at: datetime | None) -> Check:
    """The scratch server left recovery where asked: the backup's end, or the target time."""
    line = server.recovery_stop()
    if at is None:
        return Check("recovered", True, line or "to the end of the backup")
    return Check("recovered to time", True, line or f"recovery target {_pg_time(at)}")


def _integrity(dsn: str, ctx: DrillContext) -> list[Check]:
    """Every table of the database readable, foreign keys valid, each ``verify.expect`` true."""
    import psycopg
    from psycopg import sql

    from golive.backup.kinds.postgres import FOREIGN_KEYS, TABLES, _expect, _first_line

    checks: list[Check] = []
    with pgtools.connect(dsn, autocommit=True) as connection:
        tables: Sequence[tuple[str, str]] = connection.execute(TABLES).fetchall()
        for schema, table in tables:
            query = sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
            try:
                rows = int(connection.execute(query).fetchone()[0])  # type: ignore[index]
                checks.append(Check(f"readable {schema}.{table}", True, f"{rows} rows"))
            except psycopg.Error as exc:
                checks.append(Check(f"readable {schema}.{table}", False, _first_line(exc)))
        keys, unvalidated = connection.execute(FOREIGN_KEYS).fetchone()  # type: ignore[misc]
        checks.append(
            Check("foreign keys", unvalidated == 0, f"{keys} restored, {unvalidated} not valid")
        )
        for i, statement in enumerate(ctx.spec.verify.expect if ctx.spec.verify else [], 1):
            checks.append(_expect(connection, i, statement))
    return checks


KIND = PgBackRestKind()
