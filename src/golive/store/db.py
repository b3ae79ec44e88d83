"""Opening the store: URL normalisation, SQLite pragmas, migrations to the current schema; and
the one translation of database errors into ``StoreError``."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from golive.exceptions import StoreError

SCHEMA_REVISION = "0017"  # the newest migration; a test checks it matches Alembic's head
MIGRATION_LOCK = 0x676F6C697665  # "golive": the advisory lock one migration holds on PostgreSQL


def normalise_url(url: str, base_dir: Path) -> str:
    """``sqlite:///rel.db`` is relative to ``base_dir``; ``postgresql://`` uses psycopg 3."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        relative = url.removeprefix("sqlite:///")
        if relative and relative != ":memory:":
            return f"sqlite:///{(base_dir / relative).resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def create(
    url: str, *, busy_timeout: float = 30.0, options: Mapping[str, str] | None = None
) -> Engine:
    """An engine for ``url`` (already normalised), with the parent folder of a SQLite file made;
    SQLite waits up to ``busy_timeout`` seconds for a lock held by another connection.
    ``options`` are PostgreSQL session settings (``lock_timeout``…) for every connection."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"invalid store URL: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": busy_timeout})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() != "postgresql":
        raise StoreError(
            f"unsupported store {parsed.get_backend_name()!r}: use sqlite:/// or postgresql://"
        )
    settings = " ".join(f"-c {key}={value}" for key, value in (options or {}).items())
    connect_args = {"options": settings} if settings else {}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_pragmas(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


@contextmanager
def translated(doing: str) -> Iterator[None]:
    """Database errors (locked, gone, full, refused) inside become ``StoreError("cannot DOING:
    first line of the driver's reason")``; every other exception passes through."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot {doing}: {reason(exc)}") from exc


class Progress:
    """Progress lines of a long store step (``LABEL: what: rows done/total``), at most one
    every ``seconds`` besides the last of each ``what``; to stderr unless ``write`` says
    otherwise."""

    def __init__(
        self,
        write: Callable[[str], None] | None = None,
        *,
        seconds: float = 2.0,
        monotonic: Callable[[], float] = time.monotonic,
        label: str = "store upgrade",
    ) -> None:
        self._write = write or _to_stderr
        self._label = label
        self._seconds = seconds
        self._monotonic = monotonic
        self._last: float | None = None

    def __call__(self, what: str, done: int, total: int) -> None:
        now = self._monotonic()
        if done < total and self._last is not None and now - self._last < self._seconds:
            return
        self._last = now
        percent = 100 * done // total if total else 100
        self._write(f"{self._label}: {what}: {done:,}/{total:,} rows ({percent}%)")


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def migrate(engine: Engine, *, progress: Progress | None = None) -> None:
    """Bring the schema to ``SCHEMA_REVISION``; a no-op (one query) when it is there already.
    Long steps report to ``progress`` (stderr by default)."""
    with translated("open the store"), engine.connect() as connection:
        if inspect(connection).has_table("alembic_version"):
            current = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            if current == SCHEMA_REVISION:
                return
    _alembic_upgrade(engine, progress or Progress())


def _alembic_upgrade(engine: Engine, progress: Progress) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with translated("migrate the store"), engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # workers and servers starting at once:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            current = connection.execute(text("SELECT to_regclass('alembic_version')")).scalar()
            if current is not None:  # one migrates, the others find it done once it commits
                version = connection.execute(text("SELECT version_num FROM alembic_version"))
                if version.scalar() == SCHEMA_REVISION:
                    return
        config.attributes["connection"] = connection
        config.attributes["progress"] = progress
        command.upgrade(config, "head")


def reason(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    return str(original or exc).strip().splitlines()[0]
