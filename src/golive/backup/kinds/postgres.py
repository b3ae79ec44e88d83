"""PostgreSQL logical backups: pg_dump (custom or directory format, ``jobs`` in parallel where
the format allows) in an exported snapshot, so the row counts taken beside it are exactly the
dumped ones; pg_restore into a new database; drills that read every table, check foreign keys,
compare row counts and run the ``verify.expect`` SQL."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

from golive import settings
from golive.backup import pgtools
from golive.backup.kinds import DrillContext
from golive.backup.model import Check, Progress
from golive.config.ship import Backup, PostgresBackup
from golive.exceptions import BackupError

TABLES = """
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
ORDER BY 1, 2
"""
FOREIGN_KEYS = "SELECT count(*), count(*) FILTER (WHERE NOT convalidated) FROM pg_constraint WHERE contype = 'f'"
DUMP_FILE = {"custom": "dump.pgdump", "directory": "dump"}


def _spec(spec: Backup) -> PostgresBackup:
    assert spec.postgres is not None
    return spec.postgres


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    if path.is_dir():
        return sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    return 0


def _counts(connection: Any) -> dict[str, int]:
    """Each table's rows; a table the role cannot read is a BackupError naming it."""
    import psycopg
    from psycopg import sql

    counts: dict[str, int] = {}
    for schema, table in connection.execute(TABLES).fetchall():
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(
            sql.Identifier(schema), sql.Identifier(table)
        )
        try:
            counts[f"{schema}.{table}"] = int(connection.execute(query).fetchone()[0])
        except psycopg.Error as exc:
            raise BackupError(f"cannot read {schema}.{table}: {_first_line(exc)}") from None
    return counts


class PostgresKind:
    key = "postgres"

    def describe(self, spec: Backup) -> str:
        return f"postgres {pgtools.where(_spec(spec).dsn)}"

    def dump(self, spec: Backup, into: Path, base_dir: Path, progress: Progress) -> dict[str, Any]:
        pg = _spec(spec)
        fmt = pg.dump_format
        conninfo, secret_env = pgtools.split_dsn(pg.dsn)
        with pgtools.connect(pg.dsn) as connection:
            major = pgtools.server_major(connection)
            bindir = pgtools.bindir_for(major, pgtools.installed_majors())
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
            target = into / DUMP_FILE[fmt]
            command = [
                str(bindir / "pg_dump"),
                f"--format={fmt}",
                f"--snapshot={snapshot}",
                "--no-password",
                f"--file={target}",
                *([f"--jobs={pg.jobs}"] if fmt == "directory" else []),
                f"--dbname={conninfo}",
            ]
            env = {**settings.command_environ(), **secret_env}
            progress.phase("dump", None)
            with subprocess.Popen(
                command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
            ) as process:
                try:
                    counting = time.monotonic()
                    counts = _counts(connection)  # same snapshot, while pg_dump reads
                    counted = time.monotonic() - counting
                    keys, unvalidated = connection.execute(FOREIGN_KEYS).fetchone()  # type: ignore[misc]
                    while True:
                        try:
                            process.wait(timeout=0.25)  # returns as soon as pg_dump is done
                            break
                        except subprocess.TimeoutExpired:
                            progress.at(_size(target))
                except BaseException:
                    process.kill()
                    raise
                stderr = process.stderr.read() if process.stderr else ""
            progress.at(_size(target))
            connection.rollback()
            if process.returncode != 0:
                raise BackupError(f"pg_dump failed: {pgtools.last_lines(stderr)}")
        return {
            "database": pgtools.database_of(pg.dsn),
            "server_major": major,
            "pg_dump": str(bindir / "pg_dump"),
            "format": fmt,
            "tables": counts,
            "rows": sum(counts.values()),
            "foreign_keys": int(keys),
            "foreign_keys_not_valid": int(unvalidated),
            "count_seconds": round(counted, 3),
        }

    def restore(self, spec: Backup, folder: Path, into: str, base_dir: Path) -> float:
        pg = _spec(spec)
        name = pgtools.database_of(into)
        if name == pgtools.database_of(pg.dsn) and pgtools.where(into) == pgtools.where(pg.dsn):
            raise BackupError(f"refusing to restore over the source database {pgtools.where(into)}")
        pgtools.create_database(into, name)
        try:
            return self._restore(pg, folder, into)
        except BaseException:
            pgtools.drop_database(into, name)  # we made it: a half-restored copy goes too
            raise

    def _restore(self, pg: PostgresBackup, folder: Path, into: str) -> float:
        with pgtools.connect(into) as connection:
            bindir = pgtools.bindir_for(
                pgtools.server_major(connection), pgtools.installed_majors()
            )
        dumped = next((folder / f for f in DUMP_FILE.values() if (folder / f).exists()), None)
        if dumped is None:
            raise BackupError(f"no pg_dump output in {folder}")
        conninfo, secret_env = pgtools.split_dsn(into)
        started = time.monotonic()
        pgtools.run_tool(
            [
                bindir / "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--no-password",
                f"--jobs={pg.jobs}",
                f"--dbname={conninfo}",
                dumped,
            ],
            {**settings.command_environ(), **secret_env},
            "pg_restore",
        )
        return time.monotonic() - started

    def drill(self, folder: Path, ctx: DrillContext) -> tuple[float, list[Check]]:
        pg = _spec(ctx.spec)
        verify = ctx.spec.verify
        server = verify.into if verify and verify.into else pg.dsn
        scratch = pgtools.with_database(server, ctx.scratch)
        if pgtools.where(scratch) == pgtools.where(pg.dsn):
            raise BackupError("the drill's scratch database would be the source database")
        pgtools.create_database(server, ctx.scratch)
        try:
            seconds = self._restore(pg, folder, scratch)
            return seconds, _integrity(scratch, ctx)
        finally:
            pgtools.drop_database(server, ctx.scratch)


def _integrity(dsn: str, ctx: DrillContext) -> list[Check]:
    """Every table readable with its row count near the source's, foreign keys all there and
    valid, and each ``verify.expect`` query true."""
    import psycopg
    from psycopg import sql

    tolerance = ctx.spec.verify.tolerance if ctx.spec.verify else 0.0
    expected: dict[str, int] = dict(ctx.source.get("tables", {}))
    checks: list[Check] = []
    with pgtools.connect(dsn, autocommit=True) as connection:
        for table, rows in expected.items():
            schema, _, name = table.partition(".")
            query = sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(name)
            )
            try:
                got = int(connection.execute(query).fetchone()[0])  # type: ignore[index]
            except psycopg.Error as exc:
                checks.append(Check(f"readable {table}", False, _first_line(exc)))
                continue
            allowed = rows * tolerance
            ok = abs(got - rows) <= allowed
            detail = f"{got} rows, {rows} at backup time" + (
                "" if ok else f" (tolerance {tolerance:.0%})"
            )
            checks.append(Check(f"rows {table}", ok, detail))
        keys, unvalidated = connection.execute(FOREIGN_KEYS).fetchone()  # type: ignore[misc]
        want = int(ctx.source.get("foreign_keys", 0))
        checks.append(
            Check(
                "foreign keys",
                keys == want and unvalidated == ctx.source.get("foreign_keys_not_valid", 0),
                f"{keys} restored and validated by pg_restore, {want} at backup time",
            )
        )
        for i, statement in enumerate(ctx.spec.verify.expect if ctx.spec.verify else [], 1):
            checks.append(_expect(connection, i, statement))
    return checks


def _expect(connection: Any, index: int, statement: str) -> Check:
    import psycopg

    name = f"expect {index}"
    try:
        with connection.transaction():
            connection.execute("SET TRANSACTION READ ONLY")
            row = connection.execute(statement).fetchone()
    except psycopg.Error as exc:
        return Check(name, False, f"{statement}: {_first_line(exc)}")
    if row is None or len(row) != 1 or not isinstance(row[0], bool):
        return Check(name, False, f"{statement}: must return one true/false value, got {row!r}")
    return Check(name, bool(row[0]), statement if row[0] else f"{statement} is false")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


KIND = PostgresKind()
