"""Read queries behind SLOs: a check's runs and failures over any window (from its rollups,
never its evidence rows), and one field of a check's runs (a ratio
SLI such as redis ``hit_rate``, which no rollup keeps).

They add up what was recorded; attainment and budgets are computed in ``golive.slo``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, select

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
    if inner_start < inner_end:
        parts = [
            ("hour", inner_start, inner_end),
            ("minute", start, inner_start),
            ("minute", inner_end, end),
        ]
    else:  # within one or two partial hours
        parts = [("minute", start, end)]
    runs = failures = 0
    with store.reading("read the store") as connection:
        for resolution, begin, until in parts:
            if begin >= until:
                continue
            # one range of the primary key (check, resolution, bucket) each: an OR of the
            # three would make SQLite scan every rollup of the check
            query = select(
                func.coalesce(func.sum(ROLLUPS.c.runs), 0),
                func.coalesce(func.sum(ROLLUPS.c.failures), 0),
            ).where(
                ROLLUPS.c.check == check,
                ROLLUPS.c.resolution == resolution,
                ROLLUPS.c.bucket >= begin,
                ROLLUPS.c.bucket < until,
            )
            found = connection.execute(query).one()
            runs, failures = runs + int(found[0]), failures + int(found[1])
    return runs, failures


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
