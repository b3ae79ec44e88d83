"""Request data: what a metrics source measured per minute and label set, the windows merged
from those minutes, and each source's health."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from golive.records.histogram import Histogram


def label_key(labels: Mapping[str, str]) -> str:
    """The stored form of a label set: compact JSON, keys sorted."""
    return json_dumps(dict(sorted(labels.items())))


def json_dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class RequestMinute:
    """Requests of one source in one minute with one label set (``route``/``uri``, ``method``,
    ``status``, ``upstream``, ...): how many, how many failed (status >= 500), and how fast."""

    source: str
    minute: datetime  # the minute's start, UTC
    labels: Mapping[str, str]
    count: int
    errors: int
    histogram: Histogram = field(default_factory=Histogram)

    def merge(self, other: RequestMinute) -> RequestMinute:
        return RequestMinute(
            self.source,
            self.minute,
            self.labels,
            self.count + other.count,
            self.errors + other.errors,
            self.histogram.merge(other.histogram),
        )


@dataclass(frozen=True)
class RequestWindow:
    """Requests over ``seconds``, merged from per-minute rows (never from raw requests)."""

    count: int = 0
    errors: int = 0
    seconds: float = 0.0
    histogram: Histogram = field(default_factory=Histogram)
    by_status: Mapping[int, Histogram] = field(default_factory=dict)  # 0: status unknown

    @property
    def rate(self) -> float:
        """Requests per second."""
        return self.count / self.seconds if self.seconds > 0 else 0.0

    @property
    def error_rate(self) -> float:
        """Share of requests with status >= 500 (0 when there were none)."""
        return self.errors / self.count if self.count else 0.0

    def percentile_ms(self, q: float) -> float | None:
        """The latency (ms) below which ``q`` (0..1) of the requests fell; None without any."""
        return self.histogram.percentile_ms(q)

    def good(
        self, *, status_below: int | None = None, latency_below_ms: float | None = None
    ) -> int:
        """Requests with status < ``status_below`` and latency < ``latency_below_ms``.

        Exact at the histogram's precision, per status (a request of unknown status counts as
        below any ``status_below``); for a scraped histogram ``latency_below_ms`` must be one
        of its bucket bounds (``BucketError`` names those that exist).
        """
        total = 0
        for status, histogram in self.by_status.items():
            if status_below is not None and status and status >= status_below:
                continue
            if latency_below_ms is None:
                total += histogram.total
            else:
                total += histogram.count_below_ms(latency_below_ms)
        return total

    def stats(self) -> dict[str, float]:
        """The seven request stats a ``requests:`` rule's ``when`` reads (percentiles are 0
        without requests)."""
        return {
            "rate": self.rate,
            "count": float(self.count),
            "error_rate": self.error_rate,
            "p50_ms": self.percentile_ms(0.5) or 0.0,
            "p90_ms": self.percentile_ms(0.9) or 0.0,
            "p95_ms": self.percentile_ms(0.95) or 0.0,
            "p99_ms": self.percentile_ms(0.99) or 0.0,
        }


@dataclass(frozen=True)
class SourceHealth:
    """How a metrics source is doing: the last read, what went wrong, how much was read."""

    source: str
    kind: str  # prometheus | access_log | prometheus_query
    ok: bool = True
    last_ok_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    lines: int = 0  # access log: lines read since the first start
    bad_lines: int = 0  # lines that were not JSON, or lacked a field
    series: int = 0  # prometheus: series in the last scrape
    scrapes: int = 0
    failed_scrapes: int = 0
    lag_seconds: float | None = None  # how far the newest request read is behind now
    updated_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        data = {k: getattr(self, k) for k in self.__dataclass_fields__}
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in data.items()}
