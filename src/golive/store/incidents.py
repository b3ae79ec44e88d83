"""Incidents: the queries, no rules. Functions taking a ``Connection`` run inside the caller's
transaction (``Store.writing``); state changes are conditional UPDATEs that say whether they
happened, so two writers never both act."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from golive.records.incidents import EscalationState, IncidentView, TimelineEntry
from golive.store.tables_incidents import (
    Escalation,
    Incident,
    IncidentAlert,
    IncidentEvent,
    IncidentMeta,
    IncidentNotification,
    UsedLink,
)
from golive.store.tables_monitor import AlertEvent, Notification

_FIELDS = tuple(IncidentView.__dataclass_fields__)


def _view(row: Row[Any]) -> IncidentView:
    values = dict(row._mapping)
    values["components"] = tuple(values["components"] or ())
    values["channels"] = tuple(values["channels"] or ())
    return IncidentView(**{k: values[k] for k in _FIELDS})


def insert_incident(connection: Connection, **values: Any) -> IncidentView:
    """Write a new incident; return it."""
    values = {**values, "updated_at": values["opened_at"]}
    values["components"] = list(values.get("components") or [])
    values["channels"] = list(values.get("channels") or [])
    new_id = connection.execute(insert(Incident).returning(Incident.id), values).scalar_one()
    found = get(connection, int(new_id))
    assert found is not None
    return found


def get(connection: Connection, incident_id: int) -> IncidentView | None:
    row = connection.execute(select(Incident).where(Incident.id == incident_id)).first()
    return _view(row) if row is not None else None


def list_incidents(
    connection: Connection,
    *,
    open_only: bool = False,
    public_only: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
) -> list[IncidentView]:
    """Incidents, newest first (``ix_incidents_opened``)."""
    query = select(Incident).order_by(Incident.opened_at.desc(), Incident.id.desc()).limit(limit)
    if open_only:
        query = query.where(Incident.state != "resolved")
    if public_only:
        query = query.where(Incident.public.is_(True))
    if since is not None:
        query = query.where(Incident.opened_at >= since)
    if until is not None:
        query = query.where(Incident.opened_at < until)
    return [_view(r) for r in connection.execute(query).all()]


def open_for_group(connection: Connection, group_key: str) -> IncidentView | None:
    """The open incident of an alert group (``ix_incidents_group``)."""
    query = (
        select(Incident)
        .where(Incident.group_key == group_key, Incident.state != "resolved")
        .order_by(Incident.id.desc())
        .limit(1)
    )
    row = connection.execute(query).first()
    return _view(row) if row is not None else None


def open_for_component(connection: Connection, component: str | None) -> list[IncidentView]:
    """Open incidents touching ``component`` (every open one when None)."""
    found = list_incidents(connection, open_only=True, limit=1000)
    if component is None:
        return found
    return [i for i in found if component == i.component or component in i.components]


def change(
    connection: Connection, incident_id: int, *, allowed: Sequence[str], **values: Any
) -> bool:
    """Set ``values`` when the incident's state is one of ``allowed``; True when it changed."""
    result = connection.execute(
        update(Incident)
        .where(Incident.id == incident_id, Incident.state.in_(list(allowed)))
        .values(**values)
    )
    return int(result.rowcount) == 1


def set_fields(connection: Connection, incident_id: int, **values: Any) -> None:
    connection.execute(update(Incident).where(Incident.id == incident_id).values(**values))


def flag_breach(connection: Connection, incident_id: int, now: datetime) -> bool:
    """Mark a missed response target once; True only for the call that did it."""
    result = connection.execute(
        update(Incident)
        .where(
            Incident.id == incident_id,
            Incident.breached_at.is_(None),
            Incident.state == "triggered",
        )
        .values(breached_at=now, updated_at=now)
    )
    return int(result.rowcount) == 1


def unacknowledged_past_target(connection: Connection, now: datetime) -> list[IncidentView]:
    query = select(Incident).where(
        Incident.state == "triggered",
        Incident.breached_at.is_(None),
        Incident.respond_by.is_not(None),
        Incident.respond_by <= now,
    )
    return [_view(r) for r in connection.execute(query).all()]


# ---------------------------------------------------------------- alerts of incidents


def add_alert(connection: Connection, incident_id: int, fingerprint: str) -> bool:
    """Join an alert to an incident; True when it was not there yet."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(IncidentAlert)
        .values(incident_id=incident_id, fingerprint=fingerprint)
        .on_conflict_do_nothing()
        .returning(IncidentAlert.incident_id)
    )
    return connection.execute(statement).first() is not None


def incidents_of_alert(connection: Connection, fingerprint: str) -> list[int]:
    query = select(IncidentAlert.incident_id).where(IncidentAlert.fingerprint == fingerprint)
    return [int(i) for i in connection.execute(query).scalars()]


def alert_count(connection: Connection, incident_id: int) -> int:
    query = select(IncidentAlert.fingerprint).where(IncidentAlert.incident_id == incident_id)
    return len(connection.execute(query).all())


def alert_events_after(connection: Connection, after_id: int, limit: int) -> list[Row[Any]]:
    """Alert events with an id above ``after_id``, oldest first (the primary key)."""
    query = select(AlertEvent).where(AlertEvent.id > after_id).order_by(AlertEvent.id).limit(limit)
    return list(connection.execute(query).all())


def last_alert_event_id(connection: Connection) -> int:
    query = select(AlertEvent.id).order_by(AlertEvent.id.desc()).limit(1)
    return int(connection.execute(query).scalar() or 0)


# ---------------------------------------------------------------- timeline


def append(
    connection: Connection,
    incident_id: int,
    kind: str,
    *,
    at: datetime,
    actor: str,
    message: str,
    data: dict[str, Any] | None = None,
) -> int:
    values = {
        "incident_id": incident_id,
        "at": at,
        "kind": kind,
        "actor": actor,
        "message": message,
        "data": dict(data or {}),
    }
    return int(
        connection.execute(insert(IncidentEvent).returning(IncidentEvent.id), values).scalar_one()
    )


def timeline(connection: Connection, incident_id: int) -> list[TimelineEntry]:
    """An incident's timeline, oldest first (``ix_incident_timeline_incident``)."""
    query = (
        select(IncidentEvent)
        .where(IncidentEvent.incident_id == incident_id)
        .order_by(IncidentEvent.at, IncidentEvent.id)
    )
    return [
        TimelineEntry(r.id, r.incident_id, r.at, r.kind, r.actor, r.message, dict(r.data or {}))
        for r in connection.execute(query).all()
    ]


# ---------------------------------------------------------------- escalation


def _escalation(row: Row[Any]) -> EscalationState:
    return EscalationState(**dict(row._mapping))


def start_escalation(connection: Connection, incident_id: int, policy: str, at: datetime) -> None:
    """Begin (or begin again, after a reopen) an incident's escalation at step 1 of round 1."""
    connection.execute(delete(Escalation).where(Escalation.incident_id == incident_id))
    connection.execute(
        insert(Escalation).values(
            incident_id=incident_id, policy=policy, round=0, step=0, next_at=at
        )
    )


def escalation(connection: Connection, incident_id: int) -> EscalationState | None:
    row = connection.execute(
        select(Escalation).where(Escalation.incident_id == incident_id)
    ).first()
    return _escalation(row) if row is not None else None


def due_escalations(connection: Connection, now: datetime) -> list[EscalationState]:
    """Escalations whose next step is due (``ix_incident_escalations_due``)."""
    query = (
        select(Escalation)
        .where(Escalation.stopped_at.is_(None), Escalation.next_at <= now)
        .order_by(Escalation.next_at, Escalation.incident_id)
    )
    return [_escalation(r) for r in connection.execute(query).all()]


def advance_escalation(
    connection: Connection,
    current: EscalationState,
    *,
    round: int,
    step: int,
    next_at: datetime,
    stopped_at: datetime | None = None,
    stop_reason: str | None = None,
) -> bool:
    """Move from ``current`` (its round and step) to the next; True only for the one caller
    that did it, so a step never fires twice."""
    result = connection.execute(
        update(Escalation)
        .where(
            Escalation.incident_id == current.incident_id,
            Escalation.round == current.round,
            Escalation.step == current.step,
            Escalation.stopped_at.is_(None),
        )
        .values(
            round=round,
            step=step,
            next_at=next_at,
            stopped_at=stopped_at,
            stop_reason=stop_reason,
        )
    )
    return int(result.rowcount) == 1


def stop_escalation(connection: Connection, incident_id: int, at: datetime, reason: str) -> bool:
    result = connection.execute(
        update(Escalation)
        .where(Escalation.incident_id == incident_id, Escalation.stopped_at.is_(None))
        .values(stopped_at=at, stop_reason=reason)
    )
    return int(result.rowcount) == 1


# ---------------------------------------------------------------- notifications of incidents


def track_notifications(connection: Connection, incident_id: int, ids: Sequence[int]) -> None:
    for notification_id in ids:
        connection.execute(
            insert(IncidentNotification).values(
                notification_id=notification_id, incident_id=incident_id, told="pending"
            )
        )


def untold_outcomes(connection: Connection) -> list[tuple[int, int, Any]]:
    """(incident, told, outbox row) for tracked rows now delivered or failed but not told."""
    query = (
        select(
            IncidentNotification.incident_id,
            Notification.id,
            Notification.status,
            Notification.channel,
            Notification.kind,
            Notification.last_error,
            Notification.delivered_at,
        )
        .join(Notification, Notification.id == IncidentNotification.notification_id)
        .where(
            IncidentNotification.told.in_(("pending", "sending")),
            Notification.status.in_(("delivered", "failed")),
        )
        .order_by(Notification.id)
    )
    return [(int(r.incident_id), int(r.id), r) for r in connection.execute(query).all()]


def mark_told(connection: Connection, notification_id: int, status: str) -> None:
    connection.execute(
        update(IncidentNotification)
        .where(IncidentNotification.notification_id == notification_id)
        .values(told=status)
    )


def cancel_pending(connection: Connection, incident_id: int, reason: str) -> int:
    """Fail the incident's outbox rows nobody has claimed yet (an ack stops them too)."""
    ids = select(IncidentNotification.notification_id).where(
        IncidentNotification.incident_id == incident_id
    )
    result = connection.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.status == "pending")
        .values(status="failed", last_error=reason)
    )
    return int(result.rowcount)


# ---------------------------------------------------------------- links and small values


def use_link(
    connection: Connection,
    nonce: str,
    *,
    incident_id: int,
    action: str,
    at: datetime,
    expires_at: datetime,
) -> bool:
    """Record a link's use; False when it was used before."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(UsedLink)
        .values(
            nonce=nonce, incident_id=incident_id, action=action, used_at=at, expires_at=expires_at
        )
        .on_conflict_do_nothing()
        .returning(UsedLink.nonce)
    )
    return connection.execute(statement).first() is not None


def link_used(connection: Connection, nonce: str) -> bool:
    query = select(UsedLink.nonce).where(UsedLink.nonce == nonce)
    return connection.execute(query).first() is not None


def meta(connection: Connection, name: str) -> str | None:
    query = select(IncidentMeta.value).where(IncidentMeta.name == name)
    value = connection.execute(query).scalar()
    return str(value) if value is not None else None


def set_meta(connection: Connection, name: str, value: str) -> None:
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(IncidentMeta).values(name=name, value=value)
    connection.execute(
        statement.on_conflict_do_update(index_elements=["name"], set_={"value": value})
    )


def link_key(connection: Connection) -> bytes:
    """The key one-click links are signed with: made once per store, the same for every
    process on it (the first writer's wins)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(
        dialect.insert(IncidentMeta)
        .values(name="link_key", value=secrets.token_hex(32))
        .on_conflict_do_nothing()
    )
    value = meta(connection, "link_key")
    assert value is not None
    return bytes.fromhex(value)
