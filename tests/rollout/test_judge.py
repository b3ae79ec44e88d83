"""The canary judge: thresholds, waiting for min_requests, and "not worse than stable"."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from golive.config.ship import Analysis
from golive.records.histogram import Histogram
from golive.records.requests import RequestWindow
from golive.rollout.judge import judge


@dataclass(frozen=True)
class Bins:
    """A histogram whose bins are the latencies themselves (ms)."""

    counts: Mapping[float, int]
    kind: str = "log"


@dataclass(frozen=True)
class Window:
    count: int
    errors: int
    histogram: Bins = field(default_factory=lambda: Bins({}))

    @property
    def error_rate(self) -> float:
        return self.errors / self.count if self.count else 0.0

    def percentile_ms(self, q: float) -> float | None:
        """The nearest-rank percentile, as the log histogram gives it."""
        seen, rank = 0, max(1.0, q * self.histogram_total)
        for value in sorted(self.histogram.counts):
            seen += self.histogram.counts[value]
            if seen >= rank:
                return value
        return None

    @property
    def histogram_total(self) -> int:
        return sum(self.histogram.counts.values())


def window(latencies: list[float], errors: int = 0) -> Window:
    return Window(len(latencies), errors, Bins(Counter(latencies)))


def analysis(**keys: Any) -> Analysis:
    return Analysis.model_validate({"min_requests": 100, **keys})


def sample(n: int, median: float, *, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [float(round(rng.lognormvariate(0, 0.3) * median)) for _ in range(n)]


def test_it_waits_until_the_new_pool_has_served_min_requests() -> None:
    result = judge(window([20.0] * 99), window([20.0] * 500), analysis(max_error_rate="1%"))
    assert result.verdict == "wait"
    assert result.reasons == ["99 of 100 requests"]


def test_it_fails_before_min_requests_on_errors_no_good_requests_could_undo() -> None:
    # 2 errors in 10 requests: even 90 good ones next leave 2 % > 1 % at 100 requests
    result = judge(window([20.0] * 10, errors=2), None, analysis(max_error_rate="1%"))
    assert result.verdict == "fail"
    assert "error rate 20.00% > 1.00% (2 errors)" in result.reasons


def test_it_waits_on_one_early_error_that_good_requests_could_still_dilute() -> None:
    assert (
        judge(window([20.0] * 10, errors=1), None, analysis(max_error_rate="1%")).verdict == "wait"
    )


def test_it_fails_an_error_rate_past_max_error_rate() -> None:
    result = judge(window([20.0] * 400, errors=6), None, analysis(max_error_rate="1%"))
    assert result.failed
    assert result.reasons == ["error rate 1.50% > 1.00% (6 errors)"]
    assert result.values["error_rate"] == pytest.approx(0.015)


def test_it_fails_a_p95_past_max_p95() -> None:
    latencies = [100.0] * 90 + [400.0] * 10
    result = judge(window(latencies), None, analysis(max_p95="300ms"))
    assert result.verdict == "fail"
    assert result.reasons == ["p95 400ms > 300ms"]
    assert result.values["p95_ms"] == 400.0


def test_it_passes_a_canary_like_stable() -> None:
    new = window(sample(800, 40, seed=1), errors=4)
    stable = window(sample(4000, 40, seed=2), errors=20)
    result = judge(
        new, stable, analysis(max_error_rate="1%", max_p95="300ms", compare_to_stable=True)
    )
    assert result.verdict == "pass", result.reasons
    assert result.reasons == []
    assert result.values["latency_p_value"] > 0.02
    assert result.values["stable_requests"] == 4000


def test_it_fails_a_canary_significantly_slower_than_stable_under_every_threshold() -> None:
    new = window(sample(800, 60, seed=3))
    stable = window(sample(4000, 40, seed=4))
    result = judge(new, stable, analysis(max_p95="1s", compare_to_stable=True))
    assert result.verdict == "fail"
    (reason,) = result.reasons
    assert reason.startswith("p50 60ms vs stable 40ms, p95 ")
    assert "slower at 98% confidence" in reason
    assert result.values["latency_p_value"] < 1e-6
    assert result.values["p50_ratio"] == pytest.approx(1.5)


def test_it_passes_a_significant_slowdown_within_the_tolerance() -> None:
    # 20 % slower on 20,000 requests: certain, but inside Kayenta's 25 % tolerance
    new = window(sample(20000, 48, seed=5))
    stable = window(sample(20000, 40, seed=6))
    result = judge(new, stable, analysis(compare_to_stable=True))
    assert result.values["latency_p_value"] < 1e-6
    assert result.values["p50_ratio"] == pytest.approx(1.2)
    assert result.verdict == "pass"


def test_it_passes_a_large_shift_seen_on_too_few_requests_to_be_sure() -> None:
    new = window([30.0, 50.0, 60.0, 90.0])
    stable = window([25.0, 35.0, 45.0, 70.0])
    result = judge(new, stable, analysis(min_requests=4, compare_to_stable=True))
    assert result.values["p50_ratio"] > 1.25
    assert result.values["latency_p_value"] > 0.02
    assert result.verdict == "pass"


def test_it_passes_a_slowdown_of_a_few_milliseconds() -> None:
    # 2 ms -> 4 ms is twice as slow and certain, but under the 5 ms that matters
    result = judge(window([4.0] * 1000), window([2.0] * 1000), analysis(compare_to_stable=True))
    assert result.values["latency_p_value"] < 1e-6
    assert result.verdict == "pass"


def test_it_fails_a_canary_with_significantly_more_errors_than_stable() -> None:
    # under max_error_rate (5 %), but 2 % against stable's 0.1 %
    new = window([20.0] * 1000, errors=20)
    stable = window([20.0] * 5000, errors=5)
    result = judge(new, stable, analysis(max_error_rate="5%", compare_to_stable=True))
    assert result.verdict == "fail"
    assert result.reasons[0].startswith("error rate 2.00% vs stable 0.10% (worse at 98% confidence")
    assert result.values["errors_p_value"] < 1e-6


def test_it_passes_a_few_more_errors_than_stable_within_the_noise() -> None:
    new = window([20.0] * 500, errors=3)
    stable = window([20.0] * 5000, errors=20)
    result = judge(new, stable, analysis(compare_to_stable=True))
    assert result.values["errors_p_value"] > 0.02
    assert result.verdict == "pass"


def test_it_says_when_stable_had_too_few_requests_to_compare() -> None:
    result = judge(window([20.0] * 200), window([20.0] * 30), analysis(compare_to_stable=True))
    assert result.verdict == "pass"
    assert result.reasons == ["not compared to stable: 30 of 100 requests"]
    assert "latency_p_value" not in result.values
    assert judge(window([20.0] * 200), None, analysis(compare_to_stable=True)).reasons == [
        "not compared to stable: 0 of 100 requests"
    ]


def test_it_ignores_stable_without_compare_to_stable() -> None:
    result = judge(window([90.0] * 500), window([10.0] * 500), analysis())
    assert result.verdict == "pass"
    assert "stable_requests" not in result.values


def test_it_judges_the_metrics_packages_request_windows() -> None:
    def real(latencies: list[float], errors: int = 0) -> RequestWindow:
        bins = Histogram.of_latencies_ms(latencies)
        return RequestWindow(len(latencies), errors, 60.0, bins)

    slow = judge(
        real(sample(800, 60, seed=7)),
        real(sample(4000, 40, seed=8)),
        analysis(compare_to_stable=True),
    )
    same = judge(
        real(sample(800, 40, seed=9)),
        real(sample(4000, 40, seed=10)),
        analysis(compare_to_stable=True),
    )
    assert (slow.verdict, same.verdict) == ("fail", "pass")


def test_it_compares_errors_alone_when_a_source_has_no_latencies() -> None:
    new, stable = Window(1000, 30), Window(5000, 5)
    result = judge(new, stable, analysis(compare_to_stable=True))
    assert result.verdict == "fail"
    assert "latency_p_value" not in result.values
