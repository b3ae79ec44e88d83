"""Queries of heartbeat checks: ping secrets (created, read, rotated), the runs' state, and the
pings web replicas leave for the evaluator (``keep_ping``, ``take_pings``)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from golive.exceptions import StoreError
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


def ensure_heartbeats(store: Store, checks: Iterable[str], now: datetime) -> None:
    """Give each of ``checks`` a row (a new secret, watched from ``now``) unless it has one."""
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


def ping_secrets(store: Store) -> dict[str, str]:
    """Every heartbeat check's secret: check → secret."""
    with store.reading("read heartbeat secrets") as connection:
        rows = connection.execute(select(Heartbeat.check, Heartbeat.secret)).all()
    return {check: secret for check, secret in rows}


def ping_secret(store: Store, check: str, now: datetime) -> str:
    """``check``'s secret, created if it has none."""
    ensure_heartbeats(store, [check], now)
    with store.reading("read a heartbeat secret") as connection:
        found = connection.execute(select(Heartbeat.secret).where(Heartbeat.check == check))
        return str(found.scalar_one())


def rotate_secret(store: Store, check: str, now: datetime) -> str:
    """A new secret for ``check``: its old ping URL stops opening."""
    ensure_heartbeats(store, [check], now)
    secret = new_secret()
    with store.writing("rotate a heartbeat secret") as connection:
        connection.execute(
            update(Heartbeat)
            .where(Heartbeat.check == check)
            .values(secret=secret, secret_created_at=now)
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
        "secret": new_secret(),
        "secret_created_at": now,
        "watched_since": now,
        "runs": 0,
        "overdue_reported": False,
    }
