"""Per-minute and per-hour rollups of check runs: counts and a mergeable latency histogram.

Rollups are what uptime figures, uptime bars and charts read; raw evidence is pruned after its
retention, rollups stay longer (``server.retention``: minutes 14 days, hours 400 by default).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from golive.engine.results import CheckResult
from golive.records import Bucket

RESOLUTIONS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1)}


def bucket_start(at: datetime, resolution: str) -> datetime:
    if resolution == "minute":
        return at.replace(second=0, microsecond=0)
    return at.replace(minute=0, second=0, microsecond=0)


def rollup(results: Iterable[CheckResult]) -> list[Bucket]:
    """The minute and hour buckets that ``results`` add to (to be merged into stored ones)."""
    buckets: dict[tuple[str, str, datetime], Bucket] = {}
    for result in results:
        if result.inconclusive:  # golive was late: the run says nothing about the target
            continue
        for resolution in RESOLUTIONS:
            start = bucket_start(result.taken_at, resolution)
            key = (result.name, resolution, start)
            bucket = buckets.get(key)
            if bucket is None:
                bucket = buckets[key] = Bucket(result.name, resolution, start)
            bucket.add(result.ok, result.latency_ms)
    return list(buckets.values())


class RollupBuffer:
    """Buckets not written yet: a minute is written when it closes; an hour, what it gained
    since the last write, once a minute (``take_open``), so a crash loses at most a minute."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, str, datetime], Bucket] = {}

    def add(self, results: Iterable[CheckResult]) -> None:
        for bucket in rollup(results):
            key = (bucket.check, bucket.resolution, bucket.start)
            existing = self._open.get(key)
            if existing is None:
                self._open[key] = bucket
            else:
                existing.merge(bucket)

    def take_closed(self, now: datetime) -> list[Bucket]:
        """Remove and return every bucket whose period has ended by ``now``."""
        closed = [k for k, b in self._open.items() if b.start + RESOLUTIONS[b.resolution] <= now]
        return [self._open.pop(key) for key in closed]

    def take_open(self, resolution: str) -> list[Bucket]:
        """Remove and return the buckets of ``resolution``, closed or not: what they gained
        since the last take, to be merged into the stored rows (``Bucket.merge`` adds up)."""
        taken = [k for k in self._open if k[1] == resolution]
        return [self._open.pop(key) for key in taken]

    def take_all(self) -> list[Bucket]:
        """Everything still open (at shutdown: partial buckets merge with later ones)."""
        buckets, self._open = list(self._open.values()), {}
        return buckets

    def open(self, resolution: str, check: str | None = None) -> list[Bucket]:
        """Copies of what is not written yet of ``resolution`` (of one check, or all), to add
        to the stored rows in live views: safe to take from another thread while the loop
        adds results."""
        return [
            replace(b, latency_hist=list(b.latency_hist))
            for b in list(self._open.values())
            if b.resolution == resolution and (check is None or b.check == check)
        ]
