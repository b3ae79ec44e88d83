"""A check's current status, and its runs over one minute or hour (a mergeable latency bucket).

The logic that moves them lives above: ``golive.engine.state.advance`` and
``golive.engine.rollup``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

State = Literal["up", "down", "unknown"]
LATENCY_BOUNDS_MS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)


@dataclass(frozen=True)
class CheckStatus:
    """What golive currently believes about one check."""

    name: str
    state: State
    since: datetime
    consecutive_failures: int = 0
    consecutive_successes: int = 0
    last_run_at: datetime | None = None
    last_ok: bool | None = None
    last_latency_ms: float | None = None
    last_error: str | None = None
    last_failed: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def initial(cls, name: str, now: datetime) -> CheckStatus:
        return cls(name=name, state="unknown", since=now)


@dataclass
class Bucket:
    """One check's runs over one minute or hour; mutable so open buckets merge in place."""

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
