"""Leader leases on the store: take, renew, release and read a named lease, and the fenced store
whose every transaction first checks, inside that transaction, that its lease is still held."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, case, event, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from golive.clock import Clock, SystemClock
from golive.exceptions import FencedOut, StoreError
from golive.store import db
from golive.store.store import Store
from golive.store.tables import UTCDateTime
from golive.store.tables_leases import Lease

# A fenced PostgreSQL session idle inside a transaction this share of the ttl is ended by the
# server, so a leader frozen mid-transaction releases its FOR SHARE lock and the takeover goes on.
IDLE_SHARE = 1 / 3
# A fenced statement waits at most this share of the ttl for a lock (the takeover's, say).
LOCK_SHARE = 1 / 3


@dataclass(frozen=True)
class Held:
    """A lease as its holder took it: ``epoch`` grows by one at each change of holder and
    ``expires_at`` is when it lapses unless renewed."""

    name: str
    holder: str
    epoch: int
    expires_at: datetime


def hold(store: Store, name: str, holder: str, *, ttl: timedelta, now: datetime) -> Held | None:
    """Take lease ``name`` for ``holder`` until ``now + ttl`` if no one holds it or it lapsed
    (epoch + 1), or renew it if ``holder`` holds it (same epoch); None when another holder's
    lease is still live. One INSERT … ON CONFLICT DO UPDATE … WHERE: the row lock makes it
    atomic against concurrent callers (PostgreSQL re-checks the WHERE on the newest row)."""
    if ttl <= timedelta(0):
        raise ValueError("a lease's ttl must be positive")
    table = Lease.__table__
    stamp = literal(now, UTCDateTime())
    ours_and_live = and_(table.c.holder == holder, table.c.expires_at > stamp)
    values = {
        "name": name,
        "holder": holder,
        "epoch": 1,
        "acquired_at": now,
        "renewed_at": now,
        "expires_at": now + ttl,
    }
    changes = {
        "holder": holder,
        "epoch": case((ours_and_live, table.c.epoch), else_=table.c.epoch + 1),
        "acquired_at": case((ours_and_live, table.c.acquired_at), else_=stamp),
        "renewed_at": stamp,
        "expires_at": literal(now + ttl, UTCDateTime()),
    }
    free_or_ours = or_(table.c.holder == holder, table.c.expires_at <= stamp)
    dialect = postgresql if store.engine.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(values)
        .on_conflict_do_update(index_elements=["name"], set_=changes, where=free_or_ours)
        .returning(table.c.epoch, table.c.expires_at)
    )
    with store.writing(f"hold lease {name!r}") as connection:
        row = connection.execute(statement).first()
    if row is None:
        return None
    return Held(name=name, holder=holder, epoch=int(row.epoch), expires_at=row.expires_at)


def release(store: Store, held: Held) -> None:
    """Hand the lease over cleanly: if ``held`` is still the lease (same holder and epoch), it
    lapses at once (its expiry moves back to its last renewal), so a standby takes it at its
    next try; a lease taken over since is left alone."""
    statement = (
        update(Lease)
        .where(Lease.name == held.name, Lease.holder == held.holder, Lease.epoch == held.epoch)
        .values(expires_at=Lease.renewed_at)
    )
    with store.writing(f"release lease {held.name!r}") as connection:
        connection.execute(statement)


def current(store: Store, name: str) -> Held | None:
    """Lease ``name`` as the store has it (None if never taken); a lapsed lease is returned too,
    with its ``expires_at`` in the past."""
    held = [lease for lease in leases(store) if lease.name == name]
    return held[0] if held else None


def leases(store: Store) -> list[Held]:
    """Every lease the store has, by name (lapsed ones included)."""
    table = Lease.__table__
    query = select(table.c.name, table.c.holder, table.c.epoch, table.c.expires_at).order_by(
        table.c.name
    )
    with store.reading("read leases") as connection:
        rows = connection.execute(query).all()
    return [Held(r.name, r.holder, int(r.epoch), r.expires_at) for r in rows]


def fenced(
    store: Store, held: Held, *, ttl: timedelta | None = None, clock: Clock | None = None
) -> Store:
    """A Store on the same database whose every transaction (reads included) first checks, in
    that transaction, that ``held`` is still the lease with its expiry after ``clock.now()``,
    and raises ``FencedOut`` otherwise. On PostgreSQL the check is ``SELECT … FOR SHARE``: a
    takeover waits for a fenced transaction in flight, and sees none of it once it is through;
    sessions idle in a transaction or waiting on a lock are ended after a third of ``ttl`` (by
    default what is left of ``held``). On
    SQLite the transaction begins IMMEDIATE, so no other writer comes between check and write.
    Close it when done; the store it came from stays open."""
    clock = clock or SystemClock()
    ttl_ms = int((ttl or held.expires_at - clock.now()).total_seconds() * 1000)
    url = store.engine.url.render_as_string(hide_password=False)
    if store.engine.dialect.name == "postgresql":
        engine = db.create(
            url,
            options={
                "idle_in_transaction_session_timeout": f"{max(100, int(ttl_ms * IDLE_SHARE))}ms",
                "lock_timeout": f"{max(100, int(ttl_ms * LOCK_SHARE))}ms",
            },
        )
    else:
        engine = db.create(url)
    event.listen(engine, "begin", _checker(engine, held, clock))
    return Store(engine)


def _checker(engine: Engine, held: Held, clock: Clock) -> Callable[[Any], None]:
    """The ``begin`` listener of a fenced engine: runs the check on the DBAPI connection itself
    (SQLAlchemy's own is mid-begin and cannot execute yet); the DBAPI transaction it opens is
    the one the block's statements then run in."""
    postgres = engine.dialect.name == "postgresql"
    if postgres:
        check = "SELECT holder, epoch, expires_at FROM leases WHERE name = %s FOR SHARE"
    else:
        check = "SELECT holder, epoch, expires_at FROM leases WHERE name = ?"
    dbapi_error: type[Exception] = engine.dialect.loaded_dbapi.Error

    def begin(connection: Any) -> None:
        raw = connection.connection.dbapi_connection
        cursor = raw.cursor()
        try:
            if not postgres:
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(check, (held.name,))
            row = cursor.fetchone()
        except dbapi_error as exc:
            _rollback(raw, dbapi_error)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(f"cannot check lease {held.name!r}: {first}") from exc
        finally:
            cursor.close()
        refusal = _refusal(held, row, clock.now())
        if refusal is not None:
            _rollback(raw, dbapi_error)
            raise refusal

    return begin


def _refusal(held: Held, row: Any, now: datetime) -> FencedOut | None:
    """Why the lease ``row`` (holder, epoch, expires_at) no longer fences ``held`` in, if so."""
    if row is None:
        return FencedOut(held.name, held.epoch, holder=None, holder_epoch=None)
    holder, epoch, expires_at = row[0], int(row[1]), _utc(row[2])
    if holder != held.holder or epoch != held.epoch:
        return FencedOut(held.name, held.epoch, holder=holder, holder_epoch=epoch)
    if expires_at <= now:
        return FencedOut(held.name, held.epoch, holder=None, holder_epoch=None)
    return None


def _utc(value: datetime | str) -> datetime:
    """A timestamp as the DBAPI returns it (SQLite: text in UTC without zone), aware in UTC."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _rollback(raw: Any, dbapi_error: type[Exception]) -> None:
    with contextlib.suppress(dbapi_error):  # a connection gone is discarded by the pool
        raw.rollback()
