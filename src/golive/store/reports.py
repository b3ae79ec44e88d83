"""Read queries behind the operations reports: checks' hour rollups added up over a range,
and the notifications that failed. No rules: the report decides what the numbers mean."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, func, select

from golive.store.outbox import NotificationRow, _notification_row
from golive.store.store import Store
from golive.store.tables_monitor import Notification, Rollup

ROLLUPS = cast(Table, Rollup.__table__)


def hour_totals(store: Store, *, start: datetime, end: datetime) -> dict[str, tuple[int, int]]:
    """``{check: (runs, failures)}`` of the hour rollups with ``start <= bucket < end``, every
    check in one query; checks without runs in the range are absent."""
    # ix_rollups_resolution_bucket serves the range
    query = (
        select(ROLLUPS.c.check, func.sum(ROLLUPS.c.runs), func.sum(ROLLUPS.c.failures))
        .where(
            ROLLUPS.c.resolution == "hour",
            ROLLUPS.c.bucket >= start,
            ROLLUPS.c.bucket < end,
        )
        .group_by(ROLLUPS.c.check)
    )
    with store.reading("add up rollups") as connection:
        rows = connection.execute(query).all()
    return {str(check): (int(runs or 0), int(failures or 0)) for check, runs, failures in rows}


def failed_notifications(
    store: Store, *, since: datetime, until: datetime, limit: int = 50
) -> tuple[int, list[NotificationRow]]:
    """How many notifications written in ``[since, until)`` failed for good, and the newest
    ``limit`` of them."""
    # a scan of the failed rows: ix_notifications_due leads with status
    where = (
        Notification.status == "failed",
        Notification.created_at >= since,
        Notification.created_at < until,
    )
    with store.reading("read failed notifications") as connection:
        count = connection.execute(select(func.count()).where(*where)).scalar_one()
        query = select(Notification).where(*where).order_by(Notification.id.desc()).limit(limit)
        rows = [_notification_row(r) for r in connection.execute(query).all()]
    return int(count), rows
