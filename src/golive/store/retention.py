"""Pruning by ``server.retention``: evidence, rollups, resolved alerts and their events, the
outbox's finished rows, ended silences, the metrics sources' request minutes, and the workers'
unconsumed probe results (as evidence) and long-gone heartbeats (as alerts).

Rows go in batches of ``batch`` rows, one short transaction each, so that `golive serve` keeps
writing its cycles between them (SQLite has one writer). Nothing that is still work is pruned:
pending or firing alerts, unrouted events, pending or sending notifications, silences that
have not ended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, or_, select, tuple_

from golive.store.day_rollups import DAY
from golive.store.store import Store
from golive.store.tables import Evidence
from golive.store.tables_monitor import Alert, AlertEvent, Notification, Rollup, Silence
from golive.store.tables_requests import RequestMinuteRow
from golive.store.tables_scale import JobRow, ProbeResultRow, WorkerRow

BATCH = 2_000  # rows per DELETE (and per transaction)


@dataclass(frozen=True)
class Keep:
    """How long each kind of row is kept (the fields of ``server.retention``)."""

    evidence: timedelta
    minute_rollups: timedelta
    hour_rollups: timedelta
    alerts: timedelta
    notifications: timedelta
    silences: timedelta
    requests: timedelta = timedelta(days=35)  # per-minute request rows of metrics sources


def prune(
    store: Store,
    now: datetime,
    keep: Keep,
    *,
    batch: int = BATCH,
    stopping: Callable[[], bool] = lambda: False,
) -> dict[str, int]:
    """Delete what is past its retention; return how many rows went, by table. Between two
    batches, ``stopping()`` true ends the pass early (the rest goes next time)."""
    removed: dict[str, int] = {}

    def drop(name: str, keys: tuple[Any, ...], where: ColumnElement[bool]) -> None:
        removed[name] = removed.get(name, 0) + _in_batches(store, keys, where, batch, stopping)

    # evidence: DELETE ... WHERE taken_at < ? (ix_evidence_taken)
    drop(
        "evidence",
        (Evidence.id,),
        and_(Evidence.kind == "probe", Evidence.taken_at < now - keep.evidence),
    )
    rollup_key = (Rollup.check, Rollup.resolution, Rollup.bucket)
    for resolution, kept in (
        ("minute", keep.minute_rollups),
        ("hour", keep.hour_rollups),
        (DAY, keep.hour_rollups),
    ):
        # ix_rollups_resolution_bucket
        drop(
            "rollups",
            rollup_key,
            and_(Rollup.resolution == resolution, Rollup.bucket < now - kept),
        )
    drop(
        "alerts",
        (Alert.fingerprint,),
        and_(Alert.state == "resolved", Alert.resolved_at < now - keep.alerts),
    )
    # the events of alerts gone (by this pass or before), once routed: an active alert's
    # events stay however old (the notifier reads when it began firing from them)
    drop(
        "alert_events",
        (AlertEvent.id,),
        and_(
            AlertEvent.at < now - keep.alerts,
            AlertEvent.routed_at.is_not(None),
            ~exists().where(Alert.fingerprint == AlertEvent.fingerprint),
        ),
    )
    drop(
        "notifications",
        (Notification.id,),
        and_(
            Notification.status.in_(("delivered", "failed")),
            Notification.created_at < now - keep.notifications,
        ),
    )
    ended = now - keep.silences
    drop(
        "silences",
        (Silence.id,),
        or_(
            Silence.expired_at < ended,
            and_(Silence.expired_at.is_(None), Silence.ends_at < ended),
        ),
    )
    # ix_request_minutes_minute
    drop(
        "request_minutes",
        (RequestMinuteRow.source, RequestMinuteRow.minute, RequestMinuteRow.labels),
        RequestMinuteRow.minute < now - keep.requests,
    )
    # inbox rows no evaluator consumed (a removed check, none running): ix_probe_results_received
    drop("probe_results", (ProbeResultRow.id,), ProbeResultRow.received_at < now - keep.evidence)
    drop("workers", (WorkerRow.name,), WorkerRow.seen_at < now - keep.alerts)  # long gone
    # finished long jobs (a few a day per backup: no index)
    drop(
        "jobs",
        (JobRow.id,),
        and_(JobRow.state.in_(("done", "failed")), JobRow.queued_at < now - keep.evidence),
    )
    return {name: count for name, count in removed.items() if count}


def _in_batches(
    store: Store,
    keys: tuple[Any, ...],
    where: ColumnElement[bool],
    batch: int,
    stopping: Callable[[], bool],
) -> int:
    """``DELETE FROM t WHERE key IN (SELECT key FROM t WHERE ... LIMIT batch)`` until fewer
    than ``batch`` rows go; one transaction per statement."""
    table = keys[0].table
    chosen = select(*keys).where(where).limit(batch)
    target = keys[0] if len(keys) == 1 else tuple_(*keys)
    statement = delete(table).where(target.in_(chosen))
    total = 0
    while True:
        with store.writing(f"prune {table.name}") as connection:
            count = int(connection.execute(statement).rowcount)
        total += count
        if count < batch or stopping():
            return total
