"""Read queries behind SLOs: a check's runs and failures over any window (from its rollups,
never its evidence rows), per hour or day for charts, and one field of a check's runs (a ratio
SLI such as redis ``hit_rate``, which no rollup keeps).

They add up what was recorded; attainment and budgets are computed in ``golive.slo``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, func, or_, select

from golive.store.store import Store
from golive.store.tables import Evidence
from golive.store.tables_monitor import Rollup

ROLLUPS = cast(Table, Rollup.__table__)
HOUR = timedelta(hours=1)


def _hour_ceil(at: datetime) -> datetime:
    floor = at.replace(minute=0, second=0, microsecond=0)
    return floor if floor == at else floor + HOUR


def run_totals(store: Store, check: str, *, start: datetime, end: datetime) -> tuple[int, int]:
    """``(runs, failures)`` of ``check`` in ``start <= t < end``: hour rollups for the whole
    hours inside, minute rollups for the partial hours at either edge. A minute edge older
    than the minute retention (14 days by default) has no rows left, so a long window may
    miss up to an hour at its start."""
    inner_start, inner_end = _hour_ceil(start), end.replace(minute=0, second=0, microsecond=0)
    parts = []
    if inner_start < inner_end:
        parts.append(_between("hour", inner_start, inner_end))
        parts.append(_between("minute", start, inner_start))
        parts.append(_between("minute", inner_end, end))
    else:  # within one or two partial hours
        parts.append(_between("minute", start, end))
    # the primary key (check, resolution, bucket) serves each branch
    query = select(
        func.coalesce(func.sum(ROLLUPS.c.runs), 0), func.coalesce(func.sum(ROLLUPS.c.failures), 0)
    ).where(ROLLUPS.c.check == check, or_(*parts))
    runs, failures = _rows(store, query)[0]
    return int(runs), int(failures)


def _between(resolution: str, start: datetime, end: datetime) -> Any:
    return and_(
        ROLLUPS.c.resolution == resolution, ROLLUPS.c.bucket >= start, ROLLUPS.c.bucket < end
    )


def run_series(
    store: Store, check: str, *, resolution: str, start: datetime, end: datetime
) -> list[tuple[datetime, int, int]]:
    """``(bucket, runs, failures)`` of ``check``'s rollups of ``resolution`` (hour or day)
    with ``start <= bucket < end``, oldest first; buckets without runs are absent."""
    # the primary key (check, resolution, bucket) serves this query
    query = (
        select(ROLLUPS.c.bucket, ROLLUPS.c.runs, ROLLUPS.c.failures)
        .where(
            ROLLUPS.c.check == check,
            ROLLUPS.c.resolution == resolution,
            ROLLUPS.c.bucket >= start,
            ROLLUPS.c.bucket < end,
        )
        .order_by(ROLLUPS.c.bucket)
    )
    return [(bucket, int(runs), int(failures)) for bucket, runs, failures in _rows(store, query)]


def field_values(
    store: Store, check: str, field: str, *, start: datetime, end: datetime
) -> Iterator[tuple[datetime, float]]:
    """``(taken_at, value)`` of ``field`` in the stored runs of ``check`` with
    ``start <= taken_at < end``, oldest first; runs where it is missing, null or not a number
    are skipped. Reads only as far back as evidence is kept (``server.retention.evidence``)."""
    # ix_evidence_subject_taken serves the filter and the order
    query = (
        select(Evidence.taken_at, Evidence.values)
        .where(
            Evidence.kind == "probe",
            Evidence.subject == check,
            Evidence.taken_at >= start,
            Evidence.taken_at < end,
        )
        .order_by(Evidence.taken_at)
    )
    for taken_at, values in _rows(store, query):
        value = values.get(field) if isinstance(values, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            yield taken_at, float(value)


def oldest_evidence(store: Store, check: str) -> datetime | None:
    """When the oldest stored run of ``check`` was taken (how far a ratio SLI can look)."""
    # ix_evidence_subject_taken serves the filter and the order
    query = (
        select(Evidence.taken_at)
        .where(Evidence.kind == "probe", Evidence.subject == check)
        .order_by(Evidence.taken_at)
        .limit(1)
    )
    found = _rows(store, query)
    return cast(datetime, found[0][0]) if found else None


def _rows(store: Store, query: Any) -> list[Any]:
    with store.reading("read the store") as connection:
        return list(connection.execute(query).all())
