"""Measures: time to acknowledge and to resolve, MTTA and MTTR, counts by severity, breaches."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean

from golive.records.incidents import IncidentView
from golive.store import incidents as queries
from golive.store.store import Store


@dataclass(frozen=True)
class SeverityStats:
    """The incidents of one severity opened in the period."""

    count: int
    open: int
    breaches: int
    mtta_seconds: float | None  # mean time to acknowledge, of those acknowledged
    mttr_seconds: float | None  # mean time to resolve, of those resolved


@dataclass(frozen=True)
class IncidentStats:
    """Incidents opened in ``[since, until)``: overall and by severity."""

    since: datetime
    until: datetime
    count: int
    open: int
    breaches: int
    mtta_seconds: float | None
    mttr_seconds: float | None
    by_severity: dict[str, SeverityStats] = field(default_factory=dict)


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(fmean(present), 3) if present else None


def _measure(found: list[IncidentView]) -> SeverityStats:
    return SeverityStats(
        count=len(found),
        open=sum(i.open for i in found),
        breaches=sum(i.breached_at is not None for i in found),
        mtta_seconds=_mean([i.time_to_acknowledge for i in found]),
        mttr_seconds=_mean([i.time_to_resolve for i in found if not i.open]),
    )


def incident_stats(store: Store, *, since: datetime, until: datetime) -> IncidentStats:
    """MTTA, MTTR, counts and breaches of the incidents opened between ``since`` and ``until``."""
    with store.reading("read incident measures") as connection:
        found = queries.list_incidents(connection, since=since, until=until, limit=1_000_000)
    overall = _measure(found)
    severities = sorted({i.severity for i in found})
    return IncidentStats(
        since=since,
        until=until,
        count=overall.count,
        open=overall.open,
        breaches=overall.breaches,
        mtta_seconds=overall.mtta_seconds,
        mttr_seconds=overall.mttr_seconds,
        by_severity={s: _measure([i for i in found if i.severity == s]) for s in severities},
    )
