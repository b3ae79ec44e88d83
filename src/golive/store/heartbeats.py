"""Queries of heartbeat checks: ping secrets (issued, rotated, their digests read), the runs'
state, and the pings web replicas leave for the evaluator (``keep_ping``, ``take_pings``).

A ping secret is shown once, when ``issue_secret`` or ``rotate_secret`` makes it; the store keeps
only its SHA-256 (``secret_hash``), as it does for API tokens. A row made by ``ensure_heartbeats``
(`golive serve` watching a new check) has no secret yet: no URL opens it until one is issued.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from golive.exceptions import StoreError, UsageError
from golive.records import HeartbeatState, Ping
from golive.store.store import Store
from golive.store.tables_heartbeats import Heartbeat, HeartbeatPing

SECRET_BYTES = 24
_STATE = ("watched_since", "last_ping_at", "started_at", "exit_code", "duration_s", "runs")
_STATE_COLUMNS = (*_STATE, "missed", "overdue_reported")
_PING_FIELDS = ("check", "kind", "at", "ok", "exit_code", "log", "source", "latency_ms", "error")
TAKE_AT_MOST = 5_000  # pings claimed per call: the rest wait for the next tick


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def digest(secret: str) -> str:
    """What the store keeps of a ping secret, and what a ping's secret is compared by."""
    return hashlib.sha256(secret.encode()).hexdigest()


def ensure_heartbeats(store: Store, checks: Iterable[str], now: datetime) -> None:
    """Give each of ``checks`` a row (watched from ``now``, no secret yet) unless it has one."""
    wanted = set(checks)
    for attempt in (1, 2):  # another process may create one meanwhile: then read them again
        try:
            with store.writing("create heartbeat secrets") as connection:
                known = set(connection.execute(select(Heartbeat.check)).scalars())
                missing = [_new_row(check, now) for check in sorted(wanted - known)]
                if missing:
                    connection.execute(insert(Heartbeat), missing)
            return
        except StoreError as exc:
            if attempt == 2 or not isinstance(exc.__cause__, IntegrityError):
                raise


def ping_digests(store: Store) -> dict[str, str]:
    """Every issued ping secret's SHA-256: check → hex digest (checks without one left out)."""
    with store.reading("read heartbeat secret digests") as connection:
        rows = connection.execute(
            select(Heartbeat.check, Heartbeat.secret_hash).where(Heartbeat.secret_hash.is_not(None))
        ).all()
    return {check: str(hashed) for check, hashed in rows}


def issue_secret(store: Store, check: str, now: datetime) -> str:
    """``check``'s first secret, returned once (only its hash is stored). Refused
    (``UsageError``) when it has one already: that one cannot be shown again."""
    ensure_heartbeats(store, [check], now)
    secret = new_secret()
    with store.writing("issue a heartbeat secret") as connection:
        changed = connection.execute(
            update(Heartbeat)
            .where(Heartbeat.check == check, Heartbeat.secret_hash.is_(None))
            .values(secret_hash=digest(secret), secret_created_at=now)
        ).rowcount
    if changed != 1:  # issued before (or by another process meanwhile)
        raise UsageError(
            f"{check}'s ping URL was shown when it was made and golive keeps only its hash; "
            f"`golive heartbeat rotate {check}` gives a new one (the old one stops working)"
        )
    return secret


def rotate_secret(store: Store, check: str, now: datetime) -> str:
    """A new secret for ``check``, returned once: its old ping URL stops opening."""
    ensure_heartbeats(store, [check], now)
    secret = new_secret()
    with store.writing("rotate a heartbeat secret") as connection:
        connection.execute(
            update(Heartbeat)
            .where(Heartbeat.check == check)
            .values(secret_hash=digest(secret), secret_created_at=now)
        )
    return secret


def load_heartbeats(store: Store) -> dict[str, HeartbeatState]:
    """Every heartbeat check's runs as last stored."""
    columns = [getattr(Heartbeat, name) for name in _STATE_COLUMNS]
    with store.reading("read heartbeat states") as connection:
        rows = connection.execute(select(Heartbeat.check, *columns)).mappings().all()
    return {row["check"]: HeartbeatState(**dict(row)) for row in rows}


def save_heartbeats(store: Store, states: Sequence[HeartbeatState]) -> None:
    """Store these states (their checks have rows: ``ensure_heartbeats`` made them)."""
    if not states:
        return
    values = [
        {"key": s.check, **{name: getattr(s, name) for name in _STATE_COLUMNS}} for s in states
    ]
    statement = (
        update(Heartbeat)
        .where(Heartbeat.check == bindparam("key"))
        .values({name: bindparam(name) for name in _STATE_COLUMNS})
    )
    with store.writing("write heartbeat states") as connection:
        connection.execute(statement, values)


def keep_ping(store: Store, ping: Ping) -> None:
    """Leave ``ping`` for the evaluator (a web replica answers 200 only once it is stored)."""
    row = {name: getattr(ping, name) for name in _PING_FIELDS}
    with store.writing("keep a ping") as connection:
        connection.execute(insert(HeartbeatPing), [{**row, "values": ping.values}])


def take_pings(store: Store) -> list[Ping]:
    """Claim the stored pings, oldest first, and delete them: a ping is taken once, however
    many processes ask (only the rows this call deleted are returned). A read first, so that
    an idle store costs no write transaction."""
    with store.reading("look for pings") as connection:
        ids = list(
            connection.execute(
                select(HeartbeatPing.id).order_by(HeartbeatPing.id).limit(TAKE_AT_MOST)
            ).scalars()
        )
    if not ids:
        return []
    columns = [getattr(HeartbeatPing, name) for name in (*_PING_FIELDS, "values")]
    with store.writing("take pings") as connection:
        found = connection.execute(
            delete(HeartbeatPing)
            .where(HeartbeatPing.id.in_(ids))
            .returning(HeartbeatPing.id, *columns)
        ).all()
    rows = sorted(found, key=lambda row: row[0])
    fields = (*_PING_FIELDS, "values")
    return [Ping(**dict(zip(fields, row[1:], strict=True))) for row in rows]


def _new_row(check: str, now: datetime) -> dict[str, object]:
    return {
        "check": check,
        "secret_hash": None,
        "secret_created_at": now,
        "watched_since": now,
        "runs": 0,
        "overdue_reported": False,
    }
