"""Per-minute and per-hour rollups of check runs: counts and a mergeable latency histogram.

Rollups are what uptime figures, uptime bars and charts read; raw evidence is pruned after its
retention, rollups stay longer (``server.retention``: minutes 14 days, hours 400 by default).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from golive.engine.results import CheckResult

LATENCY_BOUNDS_MS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
RESOLUTIONS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1)}


@dataclass
class Bucket:
    """One check's runs over one minute or hour."""

    check: str
    resolution: str
    start: datetime
    runs: int = 0
    failures: int = 0
    latency_sum_ms: float = 0.0
    latency_max_ms: float = 0.0
    latency_hist: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BOUNDS_MS) + 1))

    def add(self, ok: bool, latency_ms: float | None) -> None:
        self.runs += 1
        self.failures += 0 if ok else 1
        latency = latency_ms or 0.0
        self.latency_sum_ms += latency
        self.latency_max_ms = max(self.latency_max_ms, latency)
        self.latency_hist[bisect.bisect_left(LATENCY_BOUNDS_MS, latency)] += 1

    def merge(self, other: Bucket) -> None:
        self.runs += other.runs
        self.failures += other.failures
        self.latency_sum_ms += other.latency_sum_ms
        self.latency_max_ms = max(self.latency_max_ms, other.latency_max_ms)
        self.latency_hist = [
            a + b for a, b in zip(self.latency_hist, other.latency_hist, strict=True)
        ]


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
    """Open buckets kept in memory; a bucket is written once, when its minute or hour closes."""

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

    def take_all(self) -> list[Bucket]:
        """Everything still open (at shutdown: partial buckets merge with later ones)."""
        buckets, self._open = list(self._open.values()), {}
        return buckets

    def open(self, resolution: str, check: str | None = None) -> list[Bucket]:
        """Copies of the not-yet-written buckets of ``resolution`` (of one check, or all),
        for live views: safe to take from another thread while the loop adds results."""
        return [
            replace(b, latency_hist=list(b.latency_hist))
            for b in list(self._open.values())
            if b.resolution == resolution and (check is None or b.check == check)
        ]
