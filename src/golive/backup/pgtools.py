"""PostgreSQL plumbing for backups: connections with clear errors, the pg_dump / pg_restore
that fit a server's version, and databases made and dropped for restores."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from golive.exceptions import BackupError

if TYPE_CHECKING:
    import psycopg

PG_ROOT = Path("/usr/lib/postgresql")


def split_dsn(dsn: str) -> tuple[str, dict[str, str]]:
    """``dsn`` without its password (safe on a command line), and the env that carries it."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        params = {k: str(v) for k, v in conninfo_to_dict(dsn).items() if v is not None}
    except Exception as exc:  # psycopg.ProgrammingError: an unparsable DSN
        raise BackupError(f"not a PostgreSQL DSN: {exc}") from None
    password = params.pop("password", None)
    return make_conninfo(**params), ({"PGPASSWORD": password} if password else {})


def with_database(dsn: str, dbname: str) -> str:
    """``dsn`` pointing at another database of the same server."""
    from psycopg.conninfo import make_conninfo

    return make_conninfo(dsn, dbname=dbname)


def database_of(dsn: str) -> str:
    from psycopg.conninfo import conninfo_to_dict

    return str(conninfo_to_dict(dsn).get("dbname") or conninfo_to_dict(dsn).get("user") or "")


def where(dsn: str) -> str:
    """``DB on HOST:PORT`` for messages, without credentials."""
    from psycopg.conninfo import conninfo_to_dict

    p = conninfo_to_dict(dsn)
    return f"{p.get('dbname', '?')} on {p.get('host', 'localhost')}:{p.get('port', 5432)}"


@contextmanager
def connect(dsn: str, *, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    """A connection; a wrong DSN, refused login or missing database is a BackupError."""
    import psycopg

    try:
        connection = psycopg.connect(dsn, autocommit=autocommit, connect_timeout=10)
    except psycopg.Error as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise BackupError(f"cannot connect to {where(dsn)}: {detail}") from None
    with connection:
        yield connection


def server_major(connection: psycopg.Connection) -> int:
    return int(connection.info.server_version) // 10000


def installed_majors(root: Path = PG_ROOT) -> list[int]:
    if not root.is_dir():
        return []
    return sorted(
        int(p.name) for p in root.iterdir() if p.name.isdigit() and (p / "bin" / "pg_dump").exists()
    )


def bindir_for(major: int, installed: Sequence[int], root: Path = PG_ROOT) -> Path:
    """The client binaries for a server of ``major``: the same major, else the oldest newer one
    (pg_dump reads older servers, never newer ones)."""
    usable = [v for v in installed if v >= major]
    if not usable:
        have = ", ".join(map(str, installed)) or "none"
        raise BackupError(
            f"the server runs PostgreSQL {major} but the pg_dump here is older (installed: {have});"
            f" install postgresql-client-{major}"
        )
    return root / str(usable[0]) / "bin"


def run_tool(command: Sequence[str | Path], env: dict[str, str], what: str) -> None:
    """Run pg_restore / psql-like tools; a failure is a BackupError with their last lines."""
    done = subprocess.run(
        [str(c) for c in command], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {last_lines(done.stderr)}")


def last_lines(text: str, n: int = 3) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-n:]) or "no output"


_SAFE = re.compile(r"[^a-z0-9_]")


def scratch_name(name: str, stamp: str) -> str:
    """``golive_drill_<name>_<stamp>`` as a PostgreSQL identifier (at most 63 bytes)."""
    return _SAFE.sub("_", f"golive_drill_{name}_{stamp}".lower())[:63]


def create_database(server_dsn: str, name: str) -> None:
    """CREATE DATABASE ``name`` on the server of ``server_dsn``; it must not exist yet."""
    import psycopg
    from psycopg import sql

    with connect(with_database(server_dsn, "postgres"), autocommit=True) as connection:
        try:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.DuplicateDatabase:
            raise BackupError(
                f"database {name} already exists; golive restores only into a new database"
                " (drop it, or name another)"
            ) from None
        except psycopg.Error as exc:
            raise BackupError(f"cannot create database {name}: {exc}") from None


def drop_database(server_dsn: str, name: str) -> None:
    """DROP DATABASE ``name`` (its sessions ended first)."""
    from psycopg import sql

    with connect(with_database(server_dsn, "postgres"), autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
