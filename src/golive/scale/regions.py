"""Whether a region has live workers: each worker beats every ``HEARTBEAT_SECONDS``, and a
worker whose last beat is older than ``ALIVE_WITHIN`` counts as gone; and why workers refuse a
SQLite store."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from golive.store.scale import WorkerBeat

SQLITE_WITH_WORKERS = (
    "workers: need a shared PostgreSQL store (store: postgresql://...), not SQLite:"
    " workers on other machines write their results into it"
)
HEARTBEAT_SECONDS = 5.0
ALIVE_WITHIN = timedelta(seconds=3 * HEARTBEAT_SECONDS)  # three beats missed


def alive(beats: Sequence[WorkerBeat], region: str, now: datetime) -> list[WorkerBeat]:
    """The workers of ``region`` that beat recently."""
    return [b for b in beats if b.region == region and now - b.seen_at <= ALIVE_WITHIN]


def summary(
    beats: Sequence[WorkerBeat], regions: Sequence[str], now: datetime
) -> list[dict[str, Any]]:
    """Each region with its workers (last seen, counts, alive or not), for `golive status`."""
    return [
        {
            "region": region,
            "alive": len(alive(beats, region, now)),
            "workers": [
                {
                    "name": b.name,
                    "pid": b.pid,
                    "concurrency": b.concurrency,
                    "started_at": b.started_at.isoformat(),
                    "seen_at": b.seen_at.isoformat(),
                    "alive": now - b.seen_at <= ALIVE_WITHIN,
                    "runs": b.runs,
                    "failures": b.failures,
                }
                for b in beats
                if b.region == region
            ],
        }
        for region in regions
    ]
