"""Read-only queries of what `golive serve` recorded: check states, evidence and rollups
(alerts and silences are read through ``golive.store.alerts``, the outbox through
``golive.store.outbox``).

Every listing is newest first unless said otherwise and is cut with ``limit``/``offset``; a
``Slice`` says whether more rows follow, so callers page without counting the whole table.
Nothing here writes, and nothing here decides what is good or bad.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select, text

from golive.records import Bucket, CheckStatus
from golive.store.store import Store
from golive.store.tables import Evidence
from golive.store.tables_monitor import CheckState, Rollup

T = TypeVar("T")
_IN_CHUNK = 500  # names per IN (...) list


@dataclass(frozen=True)
class Slice(Generic[T]):
    """One page of a listing; ``more`` is true when rows follow it."""

    items: list[T]
    more: bool


@dataclass(frozen=True)
class StoredEvidence:
    id: int
    run_id: int | None
    kind: str
    subject: str
    environment: str
    ok: bool
    taken_at: datetime
    expires_at: datetime
    latency_ms: float | None
    error: str | None
    values: dict[str, Any]
    failed: list[Any]


@dataclass(frozen=True)
class StoredRollup:
    check: str
    resolution: str
    bucket: datetime
    runs: int
    failures: int
    latency_sum_ms: float
    latency_max_ms: float
    latency_hist: list[Any]

    def as_bucket(self) -> Bucket:
        """A mergeable copy (``Bucket.merge``), e.g. with a bucket not stored yet."""
        return Bucket(
            self.check,
            self.resolution,
            self.bucket,
            self.runs,
            self.failures,
            self.latency_sum_ms,
            self.latency_max_ms,
            list(self.latency_hist),
        )


def ping(store: Store) -> None:
    """Raise ``StoreError`` unless the store answers a trivial query."""
    with store.reading("reach the store") as connection:
        connection.execute(text("SELECT 1"))


def check_states(store: Store, names: Collection[str] | None = None) -> dict[str, CheckStatus]:
    """Stored check states (all, or those of ``names``): what a web replica without the
    scheduler's memory shows, and what the API falls back to for a check not yet in it."""
    query = select(CheckState)
    if names is None:
        rows = _all(store, query)
    else:
        wanted, rows = sorted(names), []
        for i in range(0, len(wanted), _IN_CHUNK):
            rows += _all(store, query.where(CheckState.name.in_(wanted[i : i + _IN_CHUNK])))
    return {row["name"]: CheckStatus(**dict(row)) for row in rows}


def evidence(
    store: Store,
    *,
    subject: str | None = None,
    kind: str | None = None,
    ok: bool | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int,
    offset: int = 0,
) -> Slice[StoredEvidence]:
    """Evidence newest first, optionally of one subject or kind, a verdict, a time range."""
    # with kind and subject, ix_evidence_subject_taken serves the filter and the order;
    # without, ix_evidence_taken serves the order
    query = select(Evidence).order_by(Evidence.taken_at.desc(), Evidence.id.desc())
    if subject is not None:
        query = query.where(Evidence.subject == subject)
    if kind is not None:
        query = query.where(Evidence.kind == kind)
    if ok is not None:
        query = query.where(Evidence.ok.is_(ok))
    if since is not None:
        query = query.where(Evidence.taken_at >= since)
    if until is not None:
        query = query.where(Evidence.taken_at < until)
    return _slice(store, query, StoredEvidence, limit, offset)


def rollups(
    store: Store, check: str, *, resolution: str, start: datetime, end: datetime
) -> list[StoredRollup]:
    """A check's rollups with ``start <= bucket < end``, oldest first."""
    # the primary key (check, resolution, bucket) serves this query
    query = (
        select(Rollup)
        .where(
            Rollup.check == check,
            Rollup.resolution == resolution,
            Rollup.bucket >= start,
            Rollup.bucket < end,
        )
        .order_by(Rollup.bucket)
    )
    return [_build(StoredRollup, row) for row in _all(store, query)]


# -- helpers ---------------------------------------------------------------------------------


def _all(store: Store, query: Select[Any]) -> list[Any]:
    with store.reading("read the store") as connection:
        return list(connection.execute(query).mappings().all())


def _slice(store: Store, query: Select[Any], cls: type[T], limit: int, offset: int) -> Slice[T]:
    rows = _all(store, query.limit(limit + 1).offset(offset))
    return Slice([_build(cls, row) for row in rows[:limit]], more=len(rows) > limit)


def _build(cls: type[T], row: Any) -> T:
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    return cls(**{name: row[name] for name in names})
