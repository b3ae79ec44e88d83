"""The notification outbox and the alert-event cursor: the queries, no rules.

``alert_events.routed_at`` is the notifier's cursor: an event is routed exactly once.
``notifications`` is the outbox: a row is written before it is sent (insert-if-absent on
``(dedup_key, channel)``), claimed with a conditional UPDATE, then marked delivered, scheduled
for a retry or failed. Functions taking a ``Connection`` run inside the caller's transaction
(see ``transaction``); the others open their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from golive.records import EventView
from golive.store.store import Store
from golive.store.tables_monitor import Alert, AlertEvent, Notification

STATUSES = ("pending", "sending", "delivered", "failed")


@dataclass(frozen=True)
class AlertRow:
    """The fields of an alert the notifier decides on."""

    fingerprint: str
    name: str
    rule: str | None
    check: str | None
    component: str | None
    severity: str
    labels: dict[str, Any]
    state: str
    firing_since: datetime | None
    summary: str
    details: dict[str, Any]
    last_notified_at: datetime | None


@dataclass(frozen=True)
class NewNotification:
    """A message for one channel, ready to be written to the outbox."""

    dedup_key: str
    channel: str
    kind: str  # alert | resolved | repeat | digest | test | page | rollout
    title: str
    body: str
    group_key: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NotificationRow:
    """One outbox row as stored."""

    id: int
    dedup_key: str
    channel: str
    kind: str
    group_key: str
    title: str
    body: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    lease_until: datetime | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


# ---------------------------------------------------------------- events (the cursor)


def unrouted_events(connection: Connection) -> list[EventView]:
    """Every event not routed yet, oldest first (``ix_alert_events_unrouted``)."""
    query = select(AlertEvent).where(AlertEvent.routed_at.is_(None)).order_by(AlertEvent.id)
    return [
        EventView(r.id, r.fingerprint, r.at, r.transition, dict(r.payload or {}))
        for r in connection.execute(query).all()
    ]


def mark_routed(connection: Connection, ids: Sequence[int], now: datetime) -> int:
    """Set ``routed_at`` on those of ``ids`` still unrouted; return how many changed."""
    if not ids:
        return 0
    result = connection.execute(
        update(AlertEvent)
        .where(AlertEvent.id.in_(ids), AlertEvent.routed_at.is_(None))
        .values(routed_at=now)
    )
    return int(result.rowcount)


def event_time(
    connection: Connection,
    fingerprint: str,
    transition: str,
    *,
    before_id: int,
    after: datetime | None = None,
    newest: bool = True,
) -> datetime | None:
    """When the newest (or oldest) ``transition`` event of an alert happened, among those
    before event ``before_id`` and after ``after`` (``ix_alert_events_fingerprint``)."""
    pick = func.max(AlertEvent.at) if newest else func.min(AlertEvent.at)
    query = select(pick).where(
        AlertEvent.fingerprint == fingerprint,
        AlertEvent.transition == transition,
        AlertEvent.id < before_id,
    )
    if after is not None:
        query = query.where(AlertEvent.at > after)
    return connection.execute(query).scalar()


def latest_payload(connection: Connection, fingerprint: str) -> dict[str, Any] | None:
    """The payload of an alert's newest event (``ix_alert_events_fingerprint``)."""
    query = (
        select(AlertEvent.payload)
        .where(AlertEvent.fingerprint == fingerprint)
        .order_by(AlertEvent.at.desc(), AlertEvent.id.desc())
        .limit(1)
    )
    payload = connection.execute(query).scalar()
    return dict(payload) if payload else None


# ---------------------------------------------------------------- alerts


_ALERT_COLUMNS = [getattr(Alert, f) for f in AlertRow.__dataclass_fields__]


def _alert_row(row: Row[Any]) -> AlertRow:
    values = dict(row._mapping)
    return AlertRow(
        **{**values, "labels": values["labels"] or {}, "details": values["details"] or {}}
    )


def alerts(connection: Connection, fingerprints: Iterable[str]) -> dict[str, AlertRow]:
    """The alerts with these fingerprints, by fingerprint."""
    wanted = sorted(set(fingerprints))
    if not wanted:
        return {}
    query = select(*_ALERT_COLUMNS).where(Alert.fingerprint.in_(wanted))
    return {r.fingerprint: _alert_row(r) for r in connection.execute(query).all()}


def repeat_candidates(connection: Connection) -> list[AlertRow]:
    """Firing alerts nobody acknowledged, not silenced or held, notified before (``ix_alerts_state``)."""
    query = (
        select(*_ALERT_COLUMNS)
        .where(
            Alert.state == "firing",
            Alert.acknowledged_by.is_(None),
            Alert.silenced_by.is_(None),
            Alert.inhibited_by.is_(None),
            Alert.last_notified_at.is_not(None),
        )
        .order_by(Alert.fingerprint)
    )
    return [_alert_row(r) for r in connection.execute(query).all()]


def set_notified(connection: Connection, fingerprints: Iterable[str], now: datetime) -> None:
    """Record that these alerts were just notified."""
    wanted = sorted(set(fingerprints))
    if wanted:
        connection.execute(
            update(Alert).where(Alert.fingerprint.in_(wanted)).values(last_notified_at=now)
        )


def claim_repeat(
    connection: Connection, fingerprint: str, previous: datetime, now: datetime
) -> bool:
    """Move ``last_notified_at`` from ``previous`` to ``now``; True only if this call did it."""
    result = connection.execute(
        update(Alert)
        .where(Alert.fingerprint == fingerprint, Alert.last_notified_at == previous)
        .values(last_notified_at=now)
    )
    return int(result.rowcount) == 1


# ---------------------------------------------------------------- the outbox


def enqueue(connection: Connection, notification: NewNotification, now: datetime) -> bool:
    """Insert unless ``(dedup_key, channel)`` is there already; True when a row was written."""
    values = {
        "dedup_key": notification.dedup_key,
        "channel": notification.channel,
        "kind": notification.kind,
        "group_key": notification.group_key[:400],
        "title": notification.title,
        "body": notification.body,
        "payload": notification.payload,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Notification)
        .values(values)
        .on_conflict_do_nothing(index_elements=["dedup_key", "channel"])
        .returning(Notification.id)
    )
    # RETURNING, not rowcount: PostgreSQL reports -1 for an INSERT that returns rows
    return connection.execute(statement).first() is not None


def ids_by_channel(connection: Connection, dedup_key: str) -> dict[str, int]:
    """The outbox rows written under ``dedup_key``, by channel (``uq_notifications_dedup``)."""
    query = select(Notification.channel, Notification.id).where(Notification.dedup_key == dedup_key)
    return {str(channel): int(row_id) for channel, row_id in connection.execute(query).all()}


def due(connection: Connection, now: datetime, limit: int) -> list[NotificationRow]:
    """Rows to send now: pending and due, or sending with an expired lease (``ix_notifications_due``).

    A claimed row's ``next_attempt_at`` is its lease end, so one condition finds both.
    """
    query = (
        select(Notification)
        .where(
            Notification.status.in_(("pending", "sending")),
            Notification.next_attempt_at <= now,
        )
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    return [_notification_row(r) for r in connection.execute(query).all()]


def claim(
    connection: Connection, row: NotificationRow, now: datetime, lease_until: datetime
) -> bool:
    """Take ``row`` for sending until ``lease_until``; True only if exactly this call took it."""
    result = connection.execute(
        update(Notification)
        .where(
            Notification.id == row.id,
            Notification.status == row.status,
            or_(Notification.lease_until.is_(None), Notification.lease_until < now),
            Notification.next_attempt_at <= now,
        )
        .values(
            status="sending",
            lease_until=lease_until,
            next_attempt_at=lease_until,
            attempts=Notification.attempts + 1,
        )
    )
    return int(result.rowcount) == 1


def mark_delivered(connection: Connection, row_id: int, now: datetime) -> bool:
    """A send succeeded: whoever holds the lease now, the row is delivered."""
    result = connection.execute(
        update(Notification)
        .where(Notification.id == row_id, Notification.status == "sending")
        .values(status="delivered", delivered_at=now, lease_until=None, last_error=None)
    )
    return int(result.rowcount) == 1


def mark_retry(
    connection: Connection, row_id: int, lease_until: datetime, error: str, at: datetime
) -> bool:
    """A transient failure: back to pending, to be tried again ``at`` (only by the lease holder)."""
    result = connection.execute(
        update(Notification)
        .where(
            Notification.id == row_id,
            Notification.status == "sending",
            Notification.lease_until == lease_until,
        )
        .values(status="pending", next_attempt_at=at, lease_until=None, last_error=error)
    )
    return int(result.rowcount) == 1


def mark_failed(
    connection: Connection, row_id: int, lease_until: datetime | None, error: str
) -> bool:
    """Give up on a row, keeping the reason (only by the lease holder, when there is one)."""
    query = update(Notification).where(
        Notification.id == row_id, Notification.status.in_(("pending", "sending"))
    )
    if lease_until is not None:
        query = query.where(Notification.lease_until == lease_until)
    result = connection.execute(query.values(status="failed", lease_until=None, last_error=error))
    return int(result.rowcount) == 1


def _notification_row(row: Row[Any]) -> NotificationRow:
    values = dict(row._mapping)
    return NotificationRow(
        **{**values, "group_key": values["group_key"] or "", "payload": values["payload"] or {}}
    )


# ---------------------------------------------------------------- reading (API, /metrics, gate)


def list_notifications(
    store: Store,
    *,
    status: str | None = None,
    channel: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[NotificationRow]:
    """Outbox rows, newest first; ``before_id`` pages on."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"unknown status {status!r} (expected one of {', '.join(STATUSES)})")
    query = select(Notification).order_by(Notification.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Notification.status == status)
    if channel is not None:
        query = query.where(Notification.channel == channel)
    if before_id is not None:
        query = query.where(Notification.id < before_id)
    with store.writing("read the outbox") as connection:
        return [_notification_row(r) for r in connection.execute(query).all()]


def get_notification(store: Store, row_id: int) -> NotificationRow | None:
    """One outbox row by id."""
    with store.writing("read the outbox") as connection:
        row = connection.execute(select(Notification).where(Notification.id == row_id)).first()
    return _notification_row(row) if row is not None else None


def counts_by_status(store: Store) -> dict[str, int]:
    """How many outbox rows are in each status (every status present, zero when none)."""
    query = select(Notification.status, func.count()).group_by(Notification.status)
    counts = dict.fromkeys(STATUSES, 0)
    with store.writing("count the outbox") as connection:
        for status, count in connection.execute(query).all():
            counts[str(status)] = int(count)
    return counts


def release_leases(store: Store, now: datetime) -> int:
    """Free the rows a previous life of this server was sending when it died.

    Only for a server that is alone on its store (SQLite: `golive serve` refuses to start
    beside a live one): the rows go out again at once, with their dedup key, instead of after
    their lease.
    """
    statement = (
        update(Notification)
        .where(Notification.status == "sending")
        .values(lease_until=None, next_attempt_at=now)
    )
    with store.writing("release leases") as connection:
        return int(connection.execute(statement).rowcount)
