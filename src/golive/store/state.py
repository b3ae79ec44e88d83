"""Persisting what `golive serve` learns: check states, evidence of each cycle, rollups (pruning
is ``golive.store.retention``). One transaction per flush, so a crash loses at most the last
cycle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from golive.records import Bucket, CheckStatus, EvidenceRecord
from golive.store.day_rollups import days_of
from golive.store.history import StoredRollup
from golive.store.scale import delete_results
from golive.store.store import Store
from golive.store.tables import Evidence
from golive.store.tables_monitor import CheckState, Rollup

_CHUNK = 500  # buckets per lookup: well under SQLite's bound-parameter limit


def load_statuses(store: Store) -> dict[str, CheckStatus]:
    """Every stored check state (the scheduler starts from these after a restart)."""
    with store.reading("read check states") as connection:
        rows = connection.execute(select(CheckState)).mappings().all()
    return {row["name"]: CheckStatus(**dict(row)) for row in rows}


def flush(
    store: Store,
    *,
    environment: str,
    statuses: Sequence[CheckStatus],
    evidence: Sequence[EvidenceRecord],
    buckets: Sequence[Bucket],
    consumed: Sequence[int] = (),
) -> None:
    """Write one cycle: changed statuses, new evidence, rollups merged into stored ones (and
    the hours into their day rows, see ``golive.store.day_rollups``); the inbox rows the
    cycle's results came from (``consumed``) go in the same transaction."""
    with store.writing("write check results") as connection:
        delete_results(connection, consumed)
        _save_statuses(connection, statuses)
        if evidence:
            connection.execute(
                insert(Evidence),
                [{**e.__dict__, "run_id": None, "environment": environment} for e in evidence],
            )
        # by resolution: closed minutes are new rows (one INSERT), while the open hour's rows
        # and their days usually exist (merged into)
        hours = [b for b in buckets if b.resolution == "hour"]
        _merge_buckets(connection, [b for b in buckets if b.resolution != "hour"])
        _merge_buckets(connection, hours)
        _merge_buckets(connection, days_of(hours))


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
    """Closed buckets are usually new rows, written in one statement. When some exist already
    (every day row but the first of its day; a minute or hour after a clock jump or a restart
    within it), they are merged into the stored ones: one lookup per ``_CHUNK`` buckets, then
    one insert of the new and one update of the others."""
    if not buckets:
        return
    try:
        with connection.begin_nested():
            connection.execute(insert(Rollup), [_row(b) for b in buckets])
        return
    except IntegrityError:
        pass
    merged = _coalesced(buckets)
    for first in range(0, len(merged), _CHUNK):
        chunk = merged[first : first + _CHUNK]
        stored = _stored(connection, chunk)
        new, changed = [], []
        for bucket in chunk:
            row = stored.get((bucket.check, bucket.resolution, bucket.start))
            if row is None:
                new.append(_row(bucket))
                continue
            row.merge(bucket)
            key = {"b_check": row.check, "b_resolution": row.resolution, "b_bucket": row.start}
            changed.append({**_counts(row), **key})
        if new:
            connection.execute(insert(Rollup), new)
        if changed:
            statement = update(Rollup).where(
                Rollup.check == bindparam("b_check"),
                Rollup.resolution == bindparam("b_resolution"),
                Rollup.bucket == bindparam("b_bucket"),
            )
            connection.execute(statement, changed)


def _coalesced(buckets: Sequence[Bucket]) -> list[Bucket]:
    """One bucket per (check, resolution, start): a late result can close a bucket twice."""
    found: dict[tuple[str, str, datetime], Bucket] = {}
    for bucket in buckets:
        key = (bucket.check, bucket.resolution, bucket.start)
        if key in found:
            found[key].merge(bucket)
        else:
            found[key] = replace(bucket, latency_hist=list(bucket.latency_hist))
    return list(found.values())


def _stored(
    connection: Connection, buckets: Sequence[Bucket]
) -> dict[tuple[str, str, datetime], Bucket]:
    """The stored rows of ``buckets``, as buckets. The starts of one flush are few (a minute,
    an hour, a day), so small IN lists select them, and the pairs are picked here."""
    query = select(Rollup).where(
        Rollup.resolution.in_({b.resolution for b in buckets}),
        Rollup.bucket.in_({b.start for b in buckets}),
        Rollup.check.in_({b.check for b in buckets}),
    )
    wanted = {(b.check, b.resolution, b.start) for b in buckets}
    found = {}
    for row in connection.execute(query).mappings():
        stored = StoredRollup(**row)
        key = (stored.check, stored.resolution, stored.bucket)
        if key in wanted:
            found[key] = stored.as_bucket()
    return found


def _row(bucket: Bucket) -> dict[str, object]:
    return {
        "check": bucket.check,
        "resolution": bucket.resolution,
        "bucket": bucket.start,
        **_counts(bucket),
    }


def _counts(bucket: Bucket) -> dict[str, object]:
    return {
        "runs": bucket.runs,
        "failures": bucket.failures,
        "latency_sum_ms": bucket.latency_sum_ms,
        "latency_max_ms": bucket.latency_max_ms,
        "latency_hist": bucket.latency_hist,
    }
