"""Queries over ``alerts``, ``alert_events`` and ``silences`` (SQLite and PostgreSQL alike).

The evaluator owns an alert's state columns; the notifier owns ``last_notified_at`` and the
API owns ``acknowledged_by/at``. ``save_evaluation`` therefore writes only the evaluator's
columns, except that it clears the acknowledgement of a resolved alert (and of a new episode);
it never writes ``last_notified_at`` of an existing row. Upserts are select-then-update/insert inside one transaction (one
evaluator leads at a time, so nobody else inserts alerts).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, RowMapping, Table, bindparam, insert, select, update

from golive.records import AlertView, Evaluation, EventView, SilenceView
from golive.store.store import Store
from golive.store.tables_monitor import Alert, AlertEvent, Silence

ALERTS = cast(Table, Alert.__table__)
EVENTS = cast(Table, AlertEvent.__table__)
SILENCES = cast(Table, Silence.__table__)
_OWNED = (
    "name",
    "rule",
    "check",
    "component",
    "severity",
    "labels",
    "state",
    "pending_since",
    "firing_since",
    "resolved_at",
    "summary",
    "details",
    "silenced_by",
    "inhibited_by",
    "updated_at",
)
_CHUNK = 500  # fingerprints per IN (...) list: well below every backend's parameter limit


def load_alerts(
    store: Store, *, states: Collection[str] | None = ("pending", "firing")
) -> dict[str, AlertView]:
    """Stored alerts by fingerprint; by default the active ones (``evaluate``'s ``current``)."""
    query = select(ALERTS)
    if states is not None:
        query = query.where(ALERTS.c.state.in_(list(states)))
    with store.reading("read alerts") as connection:
        rows = connection.execute(query).mappings().all()
    return {row["fingerprint"]: _alert(row) for row in rows}


def list_alerts(
    store: Store,
    *,
    state: str | Collection[str] | None = None,
    severity: str | None = None,
    check: str | None = None,
    component: str | None = None,
    rules: Collection[str] | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[AlertView]:
    """Alerts, most recently changed first, filtered by state(s), severity, check, component,
    the rules that define them."""
    query = select(ALERTS).order_by(ALERTS.c.updated_at.desc(), ALERTS.c.fingerprint)
    if rules is not None:
        query = query.where(ALERTS.c.rule.in_(list(rules)))
    if state is not None:
        states = [state] if isinstance(state, str) else list(state)
        query = query.where(ALERTS.c.state.in_(states))
    for column, value in (("severity", severity), ("check", check), ("component", component)):
        if value is not None:
            query = query.where(ALERTS.c[column] == value)
    query = query.offset(offset) if offset else query
    if limit is not None:
        query = query.limit(limit)
    with store.reading("read alerts") as connection:
        return [_alert(row) for row in connection.execute(query).mappings()]


def get_alert(store: Store, fingerprint: str) -> AlertView | None:
    with store.reading("read alerts") as connection:
        row = (
            connection.execute(select(ALERTS).where(ALERTS.c.fingerprint == fingerprint))
            .mappings()
            .first()
        )
    return None if row is None else _alert(row)


def fingerprints_starting(store: Store, prefix: str, *, limit: int = 5) -> list[str]:
    """Fingerprints that start with ``prefix`` (hex only), for short forms typed by people."""
    if not prefix or any(c not in "0123456789abcdef" for c in prefix):
        return []
    query = (
        select(ALERTS.c.fingerprint)
        .where(ALERTS.c.fingerprint.startswith(prefix, autoescape=True))
        .order_by(ALERTS.c.fingerprint)
        .limit(limit)
    )
    with store.reading("read alerts") as connection:
        return list(connection.execute(query).scalars())


def save_evaluation(store: Store, evaluation: Evaluation) -> None:
    """Upsert the changed alerts and insert the events, in one transaction."""
    if not evaluation.alerts and not evaluation.events:
        return
    with store.writing("save alerts") as connection:
        _upsert(connection, evaluation)
        if evaluation.events:
            connection.execute(
                insert(EVENTS),
                [
                    {
                        "fingerprint": event.fingerprint,
                        "at": event.at,
                        "transition": event.transition,
                        "payload": event.payload,
                        "routed_at": None,
                    }
                    for event in evaluation.events
                ],
            )


def _upsert(connection: Connection, evaluation: Evaluation) -> None:
    alerts = {alert.fingerprint: alert for alert in evaluation.alerts}
    existing: set[str] = set()
    keys = list(alerts)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        query = select(ALERTS.c.fingerprint).where(ALERTS.c.fingerprint.in_(chunk))
        existing.update(connection.execute(query).scalars())
    new_rows = [
        _row(a, evaluation, full=True) for a in alerts.values() if a.fingerprint not in existing
    ]
    if new_rows:
        connection.execute(insert(ALERTS), new_rows)
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for fingerprint in existing:
        row = _row(alerts[fingerprint], evaluation, full=False)
        groups.setdefault(tuple(sorted(row)), []).append(row)
    statement = update(ALERTS).where(ALERTS.c.fingerprint == bindparam("key_fingerprint"))
    for rows in groups.values():
        connection.execute(statement, rows)


def _row(alert: AlertView, evaluation: Evaluation, *, full: bool) -> dict[str, Any]:
    """Column values to write: all for a new row; else the evaluator's (see module docstring)."""
    values = {name: getattr(alert, name) for name in _OWNED}
    values["labels"] = dict(alert.labels)
    values["details"] = dict(alert.details)
    values["updated_at"] = alert.updated_at or evaluation.at
    opened = alert.fingerprint in evaluation.opened
    if full or opened or alert.state == "resolved":
        values["acknowledged_by"] = None
        values["acknowledged_at"] = None
    if full:
        values["fingerprint"] = alert.fingerprint
        values["last_notified_at"] = None
    else:
        values["key_fingerprint"] = alert.fingerprint
    return values


def acknowledge_alert(store: Store, fingerprint: str, by: str, now: datetime) -> bool:
    """Mark an active, unacknowledged alert as acknowledged; False when nothing changed."""
    statement = (
        update(ALERTS)
        .where(
            ALERTS.c.fingerprint == fingerprint,
            ALERTS.c.state.in_(["pending", "firing"]),
            ALERTS.c.acknowledged_by.is_(None),
        )
        .values(acknowledged_by=by, acknowledged_at=now)
    )
    return _changed_one(store, statement, "acknowledge the alert")


def alert_history(store: Store, fingerprint: str, *, limit: int = 50) -> list[EventView]:
    """The events of one alert, newest first."""
    query = (
        select(EVENTS)
        .where(EVENTS.c.fingerprint == fingerprint)
        .order_by(EVENTS.c.at.desc(), EVENTS.c.id.desc())
        .limit(limit)
    )
    with store.reading("read alerts") as connection:
        return [
            EventView(
                id=row["id"],
                fingerprint=row["fingerprint"],
                at=row["at"],
                transition=row["transition"],
                payload=row["payload"],
                routed_at=row["routed_at"],
            )
            for row in connection.execute(query).mappings()
        ]


def insert_silence(
    store: Store,
    *,
    matchers: Mapping[str, Any],
    starts_at: datetime,
    ends_at: datetime,
    created_by: str,
    reason: str,
    created_at: datetime,
) -> SilenceView:
    values = {
        "matchers": dict(matchers),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "created_by": created_by,
        "reason": reason,
        "created_at": created_at,
        "expired_at": None,
    }
    with store.writing("save the silence") as connection:
        new_id = connection.execute(insert(SILENCES).returning(SILENCES.c.id), values)
        silence_id = int(new_id.scalar_one())
    return SilenceView(id=silence_id, **values)  # type: ignore[arg-type]


def load_silences(
    store: Store, *, now: datetime | None = None, include_expired: bool = True
) -> list[SilenceView]:
    """Silences by id; without ``include_expired``, those not expired and not ended at ``now``."""
    query = select(SILENCES).order_by(SILENCES.c.id)
    if not include_expired:
        if now is None:
            raise ValueError("leaving out expired silences needs `now`")
        query = query.where(SILENCES.c.expired_at.is_(None), SILENCES.c.ends_at > now)
    with store.reading("read alerts") as connection:
        return [_silence(row) for row in connection.execute(query).mappings()]


def get_silence(store: Store, silence_id: int) -> SilenceView | None:
    with store.reading("read alerts") as connection:
        row = (
            connection.execute(select(SILENCES).where(SILENCES.c.id == silence_id))
            .mappings()
            .first()
        )
    return None if row is None else _silence(row)


def mark_silence_expired(store: Store, silence_id: int, now: datetime) -> bool:
    """Expire a silence that is neither expired nor ended; False when it was not."""
    statement = (
        update(SILENCES)
        .where(
            SILENCES.c.id == silence_id,
            SILENCES.c.expired_at.is_(None),
            SILENCES.c.ends_at > now,
        )
        .values(expired_at=now)
    )
    return _changed_one(store, statement, "expire the silence")


def _changed_one(store: Store, statement: Any, doing: str) -> bool:
    with store.writing(doing) as connection:
        return bool(connection.execute(statement).rowcount == 1)


def _alert(row: RowMapping) -> AlertView:
    return AlertView(
        fingerprint=row["fingerprint"],
        name=row["name"],
        rule=row["rule"],
        check=row["check"],
        component=row["component"],
        severity=row["severity"],
        labels=dict(row["labels"] or {}),
        state=row["state"],
        pending_since=row["pending_since"],
        firing_since=row["firing_since"],
        resolved_at=row["resolved_at"],
        summary=row["summary"],
        details=dict(row["details"] or {}),
        silenced_by=row["silenced_by"],
        inhibited_by=row["inhibited_by"],
        acknowledged_by=row["acknowledged_by"],
        acknowledged_at=row["acknowledged_at"],
        last_notified_at=row["last_notified_at"],
        updated_at=row["updated_at"],
    )


def _silence(row: RowMapping) -> SilenceView:
    return SilenceView(
        id=row["id"],
        matchers=dict(row["matchers"] or {}),
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        created_by=row["created_by"],
        reason=row["reason"],
        created_at=row["created_at"],
        expired_at=row["expired_at"],
    )
