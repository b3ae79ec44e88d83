"""The judgement of one canary step: the new pool's requests against the ``analysis:``
thresholds and, with ``compare_to_stable``, against the stable pool over the same interval.

Pure: windows and the config in, a ``Judgement`` out (no store, no clock).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from golive.config.ship import Analysis
from golive.rollout.stats import mann_whitney_greater, two_proportions_greater

Verdict = Literal["pass", "fail", "wait"]

# Kayenta's judge defaults (docs/canary-judge.md says why we keep them): worse only when
# the one-sided p-value is below 1 - CONFIDENCE *and* the shift is past the tolerance.
CONFIDENCE = 0.98
TOLERANCE = 0.25  # latency: new p50 or p95 more than 25 % above stable's
MIN_LATENCY_SHIFT_MS = 5.0  # ...and at least 5 ms slower (2 ms → 3 ms is no regression)
MIN_ERROR_DIFFERENCE = 0.005  # errors: at least 0.5 points above stable's rate...
# ...and more than TOLERANCE above it, relatively (1.0 % → 1.2 % is within the noise)


class Buckets(Protocol):
    """A latency histogram: ordered bins (bound or index) → request count."""

    @property
    def kind(self) -> str: ...

    @property
    def counts(self) -> Mapping[float, int]: ...


class RequestWindow(Protocol):
    """What the judge reads of ``golive.records.requests.RequestWindow``."""

    @property
    def count(self) -> int: ...

    @property
    def errors(self) -> int: ...

    @property
    def error_rate(self) -> float: ...

    @property
    def histogram(self) -> Buckets: ...

    def percentile_ms(self, q: float) -> float | None: ...


@dataclass(frozen=True)
class Judgement:
    """``pass`` lets the step go on, ``fail`` rolls back now, ``wait`` means "too few
    requests yet"; ``reasons`` say why in a line each, ``values`` hold what was measured."""

    verdict: Verdict
    reasons: list[str] = field(default_factory=list)
    values: dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.verdict == "fail"


def judge(new: RequestWindow, stable: RequestWindow | None, analysis: Analysis) -> Judgement:
    """Fail on a threshold passed or on being significantly worse than stable; wait until
    the new pool has served ``min_requests``; pass otherwise."""
    values = _describe(new, "")
    reasons: list[str] = []
    limit = analysis.max_error_rate
    # errors alone past the limit of min_requests requests fail before min_requests is
    # reached: no run of good requests could bring the rate back under it
    if limit is not None and new.errors > limit * max(new.count, analysis.min_requests):
        reasons.append(f"error rate {new.error_rate:.2%} > {limit:.2%} ({new.errors} errors)")
        return Judgement("fail", reasons, values)
    if new.count < analysis.min_requests:
        return Judgement("wait", [f"{new.count} of {analysis.min_requests} requests"], values)
    p95 = new.percentile_ms(0.95)
    if analysis.max_p95 is not None and p95 is not None:
        bound = analysis.max_p95.total_seconds() * 1000
        if p95 > bound:
            reasons.append(f"p95 {p95:.0f}ms > {bound:.0f}ms")
    notes: list[str] = []
    if analysis.compare_to_stable:
        if stable is None or stable.count < max(analysis.min_requests, 1):
            have = 0 if stable is None else stable.count
            notes.append(f"not compared to stable: {have} of {analysis.min_requests} requests")
        else:
            values.update(_describe(stable, "stable_"))
            reasons += compare_errors(new, stable, values)
            reasons += compare_latency(new, stable, values)
    return Judgement("fail" if reasons else "pass", reasons or notes, values)


def compare_errors(
    new: RequestWindow, stable: RequestWindow, values: dict[str, float]
) -> list[str]:
    """A reason when new's error rate is significantly and materially above stable's."""
    test = two_proportions_greater(new.errors, new.count, stable.errors, stable.count)
    values["errors_p_value"] = test.p_value
    difference = new.error_rate - stable.error_rate
    material = difference > max(MIN_ERROR_DIFFERENCE, TOLERANCE * stable.error_rate)
    if test.p_value < 1 - CONFIDENCE and material:
        return [
            f"error rate {new.error_rate:.2%} vs stable {stable.error_rate:.2%} "
            f"(worse at {CONFIDENCE:.0%} confidence, p={test.p_value:.2g})"
        ]
    return []


def compare_latency(
    new: RequestWindow, stable: RequestWindow, values: dict[str, float]
) -> list[str]:
    """A reason when new is significantly slower (Mann-Whitney U) and its p50 or p95 is
    past the tolerance."""
    if new.histogram.kind != stable.histogram.kind:  # one source per rollout: never expected
        return []
    if not sum(new.histogram.counts.values()) or not sum(stable.histogram.counts.values()):
        return []  # counts without latencies (a source that has none): errors alone judge
    test = mann_whitney_greater(new.histogram.counts, stable.histogram.counts)
    values["latency_u"] = test.statistic
    values["latency_p_value"] = test.p_value
    shifts = []
    for q, label in ((0.5, "p50"), (0.95, "p95")):
        ours, theirs = new.percentile_ms(q), stable.percentile_ms(q)
        if ours is None or theirs is None:
            continue
        ratio = ours / theirs if theirs > 0 else float("inf")
        values[f"{label}_ratio"] = ratio
        if ratio > 1 + TOLERANCE and ours - theirs >= MIN_LATENCY_SHIFT_MS:
            shifts.append(f"{label} {ours:.0f}ms vs stable {theirs:.0f}ms")
    if test.p_value < 1 - CONFIDENCE and shifts:
        why = f"slower at {CONFIDENCE:.0%} confidence, p={test.p_value:.2g}"
        return [f"{', '.join(shifts)} ({why})"]
    return []


def _describe(window: RequestWindow, prefix: str) -> dict[str, float]:
    values = {
        f"{prefix}requests": float(window.count),
        f"{prefix}errors": float(window.errors),
        f"{prefix}error_rate": window.error_rate,
    }
    for q, label in ((0.5, "p50_ms"), (0.95, "p95_ms")):
        value = window.percentile_ms(q)
        if value is not None:
            values[prefix + label] = value
    return values
