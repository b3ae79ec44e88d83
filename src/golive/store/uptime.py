"""Read queries behind the status page, the feed and the badges: day rollups of every check,
one check's totals over a range, and alert transitions with their alert.

All of them read many checks in one query (never one query per check). They only add up what
was recorded; what counts as an incident or an outage is decided by the caller.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, func, select

from golive.store.day_rollups import DAY
from golive.store.store import Store
from golive.store.tables_monitor import Alert, AlertEvent, Rollup

ROLLUPS = cast(Table, Rollup.__table__)
ALERTS = cast(Table, Alert.__table__)
EVENTS = cast(Table, AlertEvent.__table__)


@dataclass(frozen=True, slots=True)
class DayTotals:
    """Runs and failures of one check over one UTC day."""

    check: str
    day: date
    runs: int
    failures: int


@dataclass(frozen=True, slots=True)
class AlertTransition:
    """One ``alert_events`` row with the columns of its alert that say what it was about."""

    fingerprint: str
    at: datetime
    transition: str  # pending | firing | resolved
    name: str
    rule: str | None
    check: str | None
    component: str | None
    severity: str
    started_at: str | None  # ISO start of the episode (payload): with the fingerprint, its name
    silenced_by: str | None  # the hold when the transition was recorded (payload)


def daily_totals(store: Store, *, start: datetime, end: datetime) -> list[DayTotals]:
    """Day rollups (see ``golive.store.day_rollups``) of the UTC days starting in
    ``start <= day < end``, all checks in one query; days without runs are simply absent.
    A day's row holds its stored hours: the open hour up to the last minute; the rest is only
    in the running process."""
    # ix_rollups_resolution_bucket serves the range
    query = select(ROLLUPS.c.check, ROLLUPS.c.bucket, ROLLUPS.c.runs, ROLLUPS.c.failures).where(
        ROLLUPS.c.resolution == DAY,
        ROLLUPS.c.bucket >= start,
        ROLLUPS.c.bucket < end,
    )
    return [
        DayTotals(check, bucket.date(), int(runs), int(failures))
        for check, bucket, runs, failures in _rows(store, query)
    ]


def check_totals(store: Store, check: str, *, start: datetime, end: datetime) -> tuple[int, int]:
    """``(runs, failures)`` of one check's hour rollups with ``start <= bucket < end``."""
    # the primary key (check, resolution, bucket) serves this query
    query = select(
        func.coalesce(func.sum(ROLLUPS.c.runs), 0), func.coalesce(func.sum(ROLLUPS.c.failures), 0)
    ).where(
        ROLLUPS.c.check == check,
        ROLLUPS.c.resolution == "hour",
        ROLLUPS.c.bucket >= start,
        ROLLUPS.c.bucket < end,
    )
    runs, failures = _rows(store, query)[0]
    return int(runs), int(failures)


def alert_transitions(
    store: Store,
    *,
    since: datetime,
    until: datetime | None = None,
    transitions: Collection[str] = ("firing", "resolved"),
    severities: Collection[str] | None = None,
) -> list[AlertTransition]:
    """Transitions recorded with ``since <= at < until``, oldest first, each with its alert's
    name, check, component and severity (optionally only ``severities``)."""
    # alert_events has no index on ``at`` alone: this scans it (it holds transitions only,
    # thousands of rows, not runs); ix_alert_events_fingerprint would serve one alert's events
    query = (
        select(
            EVENTS.c.fingerprint,
            EVENTS.c.at,
            EVENTS.c.transition,
            EVENTS.c.payload,
            ALERTS.c.name,
            ALERTS.c.rule,
            ALERTS.c.check,
            ALERTS.c.component,
            ALERTS.c.severity,
        )
        .join(ALERTS, ALERTS.c.fingerprint == EVENTS.c.fingerprint)
        .where(EVENTS.c.at >= since, EVENTS.c.transition.in_(list(transitions)))
        .order_by(EVENTS.c.at, EVENTS.c.id)
    )
    if until is not None:
        query = query.where(EVENTS.c.at < until)
    if severities is not None:
        query = query.where(ALERTS.c.severity.in_(list(severities)))
    found = []
    for row in _rows(store, query):
        payload = row.payload if isinstance(row.payload, dict) else {}
        found.append(
            AlertTransition(
                fingerprint=row.fingerprint,
                at=row.at,
                transition=row.transition,
                name=row.name,
                rule=row.rule,
                check=row.check,
                component=row.component,
                severity=row.severity,
                started_at=_text(payload.get("started_at")),
                silenced_by=_text(payload.get("silenced_by")),
            )
        )
    return found


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _rows(store: Store, query: Any) -> list[Any]:
    with store.reading("read the store") as connection:
        return list(connection.execute(query).all())
