"""A tiny database layer: plain SQL over sqlite3 or psycopg 3 behind one interface.

SQL is written once with ``%s`` placeholders (psycopg style); the SQLite backend
rewrites them to ``?``. Every call opens a short-lived connection, so a database
that goes away and comes back is noticed (and recovered from) on the next request.
"""

from __future__ import annotations

import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row

Row = dict[str, Any]
Runner = Callable[[str, Sequence[Any]], list[Row]]


class DatabaseError(RuntimeError):
    """The database could not be reached or refused a statement."""


class Database(ABC):
    """Run SQL in short transactions; rows come back as plain dicts."""

    kind: str

    def __init__(self, timeout_s: float = 2.0) -> None:
        self.timeout_s = timeout_s

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Runner]:
        """Open a connection and yield ``run(sql, params)``; commit on success."""

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.transaction() as run:
            return run(sql, params)

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    @abstractmethod
    def describe(self) -> str:
        """A log-safe description (never includes credentials)."""


class SQLiteDatabase(Database):
    kind = "sqlite"

    def __init__(self, path: Path, timeout_s: float = 2.0) -> None:
        super().__init__(timeout_s)
        self.path = path

    @contextmanager
    def transaction(self) -> Iterator[Runner]:
        try:
            with closing(sqlite3.connect(self.path, timeout=self.timeout_s)) as conn:
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA foreign_keys = ON")
                with conn:  # commits, or rolls back on error

                    def run(sql: str, params: Sequence[Any]) -> list[Row]:
                        cursor = conn.execute(sql.replace("%s", "?"), [_adapt(p) for p in params])
                        return [dict(row) for row in cursor.fetchall()]

                    yield run
        except sqlite3.Error as exc:
            raise DatabaseError(f"sqlite: {exc}") from exc

    def describe(self) -> str:
        return f"sqlite:{self.path}"


class PostgresDatabase(Database):
    kind = "postgresql"

    def __init__(self, dsn: str, timeout_s: float = 2.0) -> None:
        super().__init__(timeout_s)
        self.dsn = dsn

    @contextmanager
    def transaction(self) -> Iterator[Runner]:
        options = f"-c statement_timeout={int(self.timeout_s * 1000)} -c timezone=UTC"
        try:
            with psycopg.connect(
                self.dsn,
                connect_timeout=max(2, round(self.timeout_s)),  # libpq's minimum is 2 s
                options=options,
                row_factory=dict_row,
            ) as conn:

                def run(sql: str, params: Sequence[Any]) -> list[Row]:
                    cursor = conn.execute(sql, params)
                    return list(cursor.fetchall()) if cursor.description else []

                yield run
        except psycopg.Error as exc:
            raise DatabaseError(f"postgresql: {exc}".strip()) from exc

    def describe(self) -> str:
        info = conninfo_to_dict(self.dsn)
        host, port = info.get("host", "localhost"), info.get("port", 5432)
        return f"postgresql://{host}:{port}/{info.get('dbname', '')}"


def _adapt(value: Any) -> Any:
    """SQLite stores timestamps as fixed-format UTC ISO text, which sorts correctly."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    return value


def open_database(database_url: str | None, sqlite_path: Path) -> Database:
    if database_url:
        return PostgresDatabase(database_url)
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteDatabase(sqlite_path)
