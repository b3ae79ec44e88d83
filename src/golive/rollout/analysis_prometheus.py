"""A step's request windows from an existing Prometheus (a ``prometheus_query`` source).

Instant queries at the tick's time over the step's age (``$interval``), once per pool with the
pool's addresses as a regex (``$pool``): ``requests`` and ``errors`` give counts, ``latency``
the ``le`` bucket counts (seconds, cumulative, as Prometheus histograms are), or ``p95`` a
quantile in seconds instead. Counts from ``increase()`` are extrapolated and rounded to whole
requests. With buckets the judge runs its Mann-Whitney test over them (every request of a bucket
is a tie); with a quantile only, the latency against stable is not tested (there are no
samples): ``max_p95`` is checked and the two p95s are kept in the judgement's figures.
"""

from __future__ import annotations

import asyncio
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from string import Template

from golive.config.ship import PromQueries
from golive.metrics.promquery import PrometheusClient, Vector
from golive.records.histogram import Histogram
from golive.records.requests import RequestWindow
from golive.records.rollouts import RolloutView


@dataclass(frozen=True)
class QuantileWindow:
    """Counts and a p95 (no buckets): what the judge reads when ``p95`` replaces ``latency``."""

    count: int
    errors: int
    p95_ms: float | None
    histogram: Histogram = field(default_factory=lambda: Histogram("le", {}))

    @property
    def error_rate(self) -> float:
        return self.errors / self.count if self.count else 0.0

    def percentile_ms(self, q: float) -> float | None:
        return self.p95_ms if q == 0.95 else None


Window = RequestWindow | QuantileWindow


def pool_regex(addresses: tuple[str, ...]) -> str:
    """The pool's HOST:PORTs as one regex, escaped for a PromQL double-quoted string."""
    return "|".join(re.escape(a) for a in addresses).replace("\\", "\\\\")


def interval(view: RolloutView, now: datetime) -> str:
    """The step's age as a PromQL duration in whole seconds (at least 1s)."""
    started = view.step_started_at or now
    return f"{max(1, math.ceil((now - started).total_seconds()))}s"


class PrometheusAnalysis:
    """Reads the new and stable pools' windows of a step from one Prometheus server."""

    def __init__(self, url: str, queries: PromQueries, *, timeout: float = 3.0) -> None:
        self.client = PrometheusClient(url, timeout=timeout)
        self.queries = queries

    async def windows(self, view: RolloutView, now: datetime) -> tuple[Window, Window]:
        """The new pool's and the stable pool's windows since the step began (every query at
        once, so a slow Prometheus holds a tick for one timeout); raises ``SourceError`` when
        Prometheus cannot answer."""
        new, stable = await asyncio.gather(
            self.window(view, view.targets, now), self.window(view, view.stable, now)
        )
        return new, stable

    async def window(self, view: RolloutView, pool: tuple[str, ...], now: datetime) -> Window:
        values = {"pool": pool_regex(pool), "interval": interval(view, now), "rollout": view.name}
        q = self.queries
        latency = q.p95 or q.latency
        asked = [self.ask(q.requests, values, now), self.ask(q.errors, values, now)]
        if latency:
            asked.append(self.ask(latency, values, now))
        count, errors, *rest = await asyncio.gather(*asked)
        if q.p95:
            p95 = rest[0][0][1] * 1000 if rest[0] and math.isfinite(rest[0][0][1]) else None
            return QuantileWindow(whole(count), whole(errors), p95)
        histogram = buckets(rest[0]) if rest else Histogram("le", {})
        seconds = float(values["interval"][:-1])
        return RequestWindow(whole(count), whole(errors), seconds, histogram)

    async def ask(self, template: str, values: dict[str, str], now: datetime) -> Vector:
        return await self.client.query(Template(template).substitute(values), at=now)


def whole(answer: Vector) -> int:
    """The answer's values added and rounded (an empty answer: no requests)."""
    total = sum(v for _, v in answer if math.isfinite(v))
    return max(0, round(total))


def buckets(answer: Vector) -> Histogram:
    """Cumulative ``le`` counts (seconds) → per-bucket counts by bound in ms."""
    cumulative: dict[float, float] = {}
    for labels, value in answer:
        le = labels.get("le")
        if le is None or not math.isfinite(value):
            continue
        bound = math.inf if le in ("+Inf", "Inf") else float(le) * 1000
        cumulative[bound] = cumulative.get(bound, 0.0) + value
    counts: dict[float, int] = {}
    below = 0
    for bound in sorted(cumulative):
        upto = max(below, round(cumulative[bound]))  # extrapolation may dip: keep it monotone
        counts[bound] = upto - below  # empty buckets too: a percentile interpolates from them
        below = upto
    return Histogram("le", counts)
