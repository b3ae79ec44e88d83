"""Copying a whole store into an empty PostgreSQL database (``golive store migrate --to``):
every table of the metadata in foreign-key order, in batches, in one target transaction that
commits only when every table verifies."""

from __future__ import annotations

import importlib
import pkgutil
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql
from sqlalchemy import Connection, Engine, Integer, MetaData, Table, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from golive.exceptions import StoreError, UsageError
from golive.store import db
from golive.store.store import Store
from golive.store.tables import Base
from golive.store.verify import TableCheck, check_table

ProgressFn = Callable[[str, int, int], None]  # (table, rows done, rows in the table)
MASK = "***"
_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)([^@\s]*)(@)")


def metadata() -> MetaData:
    """The store's metadata with every ``golive.store.tables_*`` module imported, so a table
    added in a new module is part of the copy without being named here."""
    package = importlib.import_module("golive.store")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("tables_"):
            importlib.import_module(f"golive.store.{module.name}")
    return Base.metadata


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***`` (also for a URL SQLAlchemy cannot parse)."""
    return _URL_PASSWORD.sub(rf"\g<1>{MASK}\g<3>", url)


@dataclass(frozen=True)
class CopyReport:
    """What ``copy_store`` did: each table's check, whether it was committed, how long."""

    target: str  # redacted
    tables: tuple[TableCheck, ...]
    committed: bool
    seconds: float

    @property
    def rows(self) -> int:
        return sum(t.source_rows for t in self.tables)

    @property
    def mismatched(self) -> list[str]:
        return [t.name for t in self.tables if not t.verified]


def target_url(url: str) -> str:
    """The normalised PostgreSQL URL to copy into; ``UsageError`` (password hidden) otherwise."""
    shown = redact(url)
    try:
        parsed = make_url(db.normalise_url(url, Path.cwd()))
    except ArgumentError:
        raise UsageError(
            f"--to {shown} is not a database URL: expected postgresql+psycopg://USER@HOST/DB"
        ) from None
    if parsed.get_backend_name() != "postgresql":
        raise UsageError(
            f"--to {shown}: the target must be PostgreSQL (postgresql+psycopg://USER@HOST/DB),"
            f" not {parsed.get_backend_name()!r}"
        )
    if not parsed.database:
        raise UsageError(f"--to {shown} names no database: add /DBNAME at the end")
    return parsed.render_as_string(hide_password=False)


def copy_store(
    source: Store,
    url: str,
    *,
    batch: int = 5000,
    progress: ProgressFn | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> CopyReport:
    """Copy every table of ``source`` into the empty PostgreSQL database at ``url`` (already
    checked by ``target_url``), keeping primary keys, then reset its sequences and compare
    both sides. One target transaction: it commits only when every table verifies, so a
    failed or mismatched copy leaves an empty (schema-only) database that a new run accepts.
    ``UsageError`` when the target is unreachable or holds rows; passwords never shown."""
    if batch < 1:
        raise UsageError("--batch must be at least 1")
    started = clock()
    tables = [t for t in metadata().sorted_tables if t.name != "alembic_version"]
    with _hiding(url):
        engine = db.create(url)
    try:
        with _hiding(url):
            _prepare(engine, tables, url)
        with _hiding(url, after=" (nothing was committed: the target holds no rows)"):
            checks, committed = _copy(source.engine, engine, tables, batch, progress)
    finally:
        engine.dispose()
    return CopyReport(redact(url), tuple(checks), committed, clock() - started)


def _prepare(engine: Engine, tables: Sequence[Table], url: str) -> None:
    """Refuse a database with tables of something else or with rows; create golive's schema
    with the same Alembic migrations as every store."""
    with db.translated("open the target"), engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
    ours = {t.name for t in tables} | {"alembic_version"}
    foreign = sorted(present - ours)
    if foreign:
        raise UsageError(
            f"the target {redact(url)} holds tables that are not golive's"
            f" ({', '.join(foreign[:5])}): copy into a new, empty database"
            f" (createdb golive) and point --to at it"
        )
    db.migrate(engine)
    with db.translated("read the target"), engine.connect() as connection:
        for table in tables:
            count = connection.execute(select(func.count()).select_from(table)).scalar_one()
            if count:
                raise UsageError(
                    f"the target {redact(url)} is not empty: table {table.name} holds"
                    f" {count:,} row{'s' if count != 1 else ''}. Copying into a store in use would mix two histories;"
                    f" copy into a new, empty database (createdb golive_new, or DROP DATABASE"
                    f" and create it again) and point --to at it"
                )


def _copy(
    source: Engine,
    target: Engine,
    tables: Sequence[Table],
    batch: int,
    progress: ProgressFn | None,
) -> tuple[list[TableCheck], bool]:
    with (
        db.translated("read the source store"),
        _snapshot(source) as reading,
        db.translated("write the target"),
        target.connect() as writing,
    ):
        transaction = writing.begin()
        try:
            for table in tables:
                _copy_table(reading, writing, table, batch, progress)
            _reset_sequences(writing, tables)
            checks = [check_table(reading, writing, table) for table in tables]
            committed = all(c.verified for c in checks)
            if committed:
                transaction.commit()
            else:
                transaction.rollback()
        except BaseException:
            transaction.rollback()
            raise
    return checks, committed


@contextmanager
def _snapshot(source: Engine) -> Iterator[Connection]:
    """One read transaction on the source, so the copy and its verification see one snapshot
    even if a golive still writes to it (SQLite in WAL mode lets writers go on beside it)."""
    with source.connect() as reading:
        if reading.dialect.name == "postgresql":
            reading = reading.execution_options(isolation_level="REPEATABLE READ")
        with reading.begin():
            if reading.dialect.name == "sqlite":
                # pysqlite itself opens transactions only for writes: a SELECT would see
                # every commit made since the one before it
                reading.exec_driver_sql("BEGIN")
            yield reading


def _copy_table(
    reading: Connection, writing: Connection, table: Table, batch: int, progress: ProgressFn | None
) -> None:
    """Stream ``table`` from the source in key order into PostgreSQL's COPY, each value made
    by the column's own type for the target (as an INSERT would), ``batch`` rows at a time."""
    total = int(reading.execute(select(func.count()).select_from(table)).scalar_one())
    done = 0
    if progress:
        progress(table.name, done, total)
    names = [c.name for c in table.columns]
    dialect = writing.dialect
    convert = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in table.columns]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    rows = reading.execution_options(stream_results=True, max_row_buffer=batch).execute(
        select(table).order_by(*table.primary_key.columns)
    )
    driver = writing.connection.driver_connection  # the same transaction as ``writing``
    assert isinstance(driver, psycopg.Connection)
    with driver.cursor() as cursor:
        for chunk in rows.partitions(batch):
            try:
                with cursor.copy(statement) as copying:
                    for row in chunk:
                        copying.write_row(
                            [
                                v if f is None or v is None else f(v)
                                for f, v in zip(convert, row, strict=True)
                            ]
                        )
            except psycopg.Error as exc:
                # e.g. a string longer than its column allows: SQLite never checked it
                reason = str(exc).strip().splitlines()[0]
                raise StoreError(f"cannot copy table {table.name}: {reason}") from exc
            done += len(chunk)
            if progress:
                progress(table.name, done, total)


def _reset_sequences(writing: Connection, tables: Sequence[Table]) -> None:
    """Each serial id's sequence continues after the copied maximum, so new rows get fresh ids
    (a table without a sequence gives NULL from ``pg_get_serial_sequence``: a no-op)."""
    quote_name = writing.dialect.identifier_preparer.quote
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        name, column = quote_name(table.name), quote_name(keys[0].name)
        writing.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column),"
                f" COALESCE(MAX({column}), 0) + 1, false) FROM {name}"
            ),
            {"table": name, "column": keys[0].name},
        )


@contextmanager
def _hiding(url: str, *, after: str = "") -> Iterator[None]:
    """Database errors inside become one ``StoreError`` line (exit 2) without the URL's
    password, whatever the driver put in its message; ``after`` is added to it."""
    password = make_url(url).password
    try:
        yield
    except (StoreError, SQLAlchemyError) as exc:
        message = str(exc) if isinstance(exc, StoreError) else f"cannot copy: {db.reason(exc)}"
        for secret in {str(password), quote(str(password), safe="")} if password else set():
            message = message.replace(secret, MASK)
        raise StoreError(redact(message) + after) from None
