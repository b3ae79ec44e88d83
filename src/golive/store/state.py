"""Persisting what `golive serve` learns: check states, evidence of each cycle, rollups, and
pruning by retention. One transaction per flush, so a crash loses at most the last cycle."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from golive.engine.rollup import Bucket
from golive.engine.state import CheckStatus
from golive.exceptions import StoreError
from golive.store.day_rollups import DAY, merge_days
from golive.store.db import reason
from golive.store.evidence import EvidenceRecord, Store
from golive.store.tables import Evidence
from golive.store.tables_monitor import CheckState, Rollup


def load_statuses(store: Store) -> dict[str, CheckStatus]:
    """Every stored check state (the scheduler starts from these after a restart)."""
    with store.engine.connect() as connection:
        rows = connection.execute(select(CheckState)).mappings().all()
    return {row["name"]: CheckStatus(**dict(row)) for row in rows}


def flush(
    store: Store,
    *,
    environment: str,
    statuses: Sequence[CheckStatus],
    evidence: Sequence[EvidenceRecord],
    buckets: Sequence[Bucket],
) -> None:
    """Write one cycle: changed statuses, new evidence, rollups merged into stored ones (and
    the hours into their day rows, see ``golive.store.day_rollups``)."""
    try:
        with store.engine.begin() as connection:
            _save_statuses(connection, statuses)
            if evidence:
                connection.execute(
                    insert(Evidence),
                    [{**e.__dict__, "run_id": None, "environment": environment} for e in evidence],
                )
            _merge_buckets(connection, buckets)
            merge_days(connection, [b for b in buckets if b.resolution == "hour"])
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot write check results: {reason(exc)}") from exc


def _save_statuses(connection: Connection, statuses: Sequence[CheckStatus]) -> None:
    if not statuses:
        return
    names = [s.name for s in statuses]
    existing = set(
        connection.execute(select(CheckState.name).where(CheckState.name.in_(names))).scalars()
    )
    rows = [dict(vars(s)) for s in statuses]  # shallow: asdict deep-copied every field
    new = [row for row in rows if row["name"] not in existing]
    old = [row for row in rows if row["name"] in existing]
    if new:
        connection.execute(insert(CheckState), new)
    if old:
        statement = update(CheckState).where(CheckState.name == bindparam("b_name"))
        connection.execute(
            statement,
            [{**{k: v for k, v in r.items() if k != "name"}, "b_name": r["name"]} for r in old],
        )


def _merge_buckets(connection: Connection, buckets: Sequence[Bucket]) -> None:
    """Closed buckets are new rows; one that exists already (a clock jump, a restart within
    the same minute) is merged into the stored one instead."""
    if not buckets:
        return
    try:
        with connection.begin_nested():
            connection.execute(insert(Rollup), [_row(b) for b in buckets])
        return
    except IntegrityError:
        pass
    for bucket in buckets:
        key = (
            Rollup.check == bucket.check,
            Rollup.resolution == bucket.resolution,
            Rollup.bucket == bucket.start,
        )
        stored = connection.execute(select(Rollup).where(*key)).mappings().first()
        if stored is None:
            connection.execute(insert(Rollup).values(**_row(bucket)))
            continue
        merged = Bucket(
            bucket.check,
            bucket.resolution,
            bucket.start,
            stored["runs"],
            stored["failures"],
            stored["latency_sum_ms"],
            stored["latency_max_ms"],
            list(stored["latency_hist"]),
        )
        merged.merge(bucket)
        connection.execute(update(Rollup).where(*key).values(**_row(merged)))


def _row(bucket: Bucket) -> dict[str, object]:
    return {
        "check": bucket.check,
        "resolution": bucket.resolution,
        "bucket": bucket.start,
        "runs": bucket.runs,
        "failures": bucket.failures,
        "latency_sum_ms": bucket.latency_sum_ms,
        "latency_max_ms": bucket.latency_max_ms,
        "latency_hist": bucket.latency_hist,
    }


def prune(
    store: Store,
    now: datetime,
    *,
    evidence_for: timedelta,
    minutes_for: timedelta,
    hours_for: timedelta,
) -> int:
    """Delete evidence and rollups past their retention; return how many rows went."""
    removed = 0
    try:
        with store.engine.begin() as connection:
            probes = delete(Evidence).where(
                Evidence.kind == "probe", Evidence.taken_at < now - evidence_for
            )
            removed += connection.execute(probes).rowcount
            kept = (("minute", minutes_for), ("hour", hours_for), (DAY, hours_for))
            for resolution, keep in kept:
                removed += connection.execute(
                    delete(Rollup).where(
                        Rollup.resolution == resolution, Rollup.bucket < now - keep
                    )
                ).rowcount
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot prune the store: {reason(exc)}") from exc
    return removed
