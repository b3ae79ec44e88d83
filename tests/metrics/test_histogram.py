"""Latency histograms: 3 significant digits from 1 µs to 1 h, exact merges, compact bytes."""

from __future__ import annotations

import math
import random

import pytest

from golive.records import BucketError, Histogram
from golive.records.histogram import MAX_US, Recorder, log_bounds, log_index


def test_every_bucket_holds_values_within_a_thousandth_of_each_other() -> None:
    rng = random.Random(3)
    for us in [
        1,
        2,
        2047,
        2048,
        2049,
        99_999,
        MAX_US,
        *(rng.randrange(1, MAX_US) for _ in range(5000)),
    ]:
        low, high = log_bounds(log_index(us))
        assert low <= us <= high
        assert (high - low) / max(low, 1) < 1 / 1000


def test_latencies_above_an_hour_count_as_an_hour() -> None:
    assert log_index(10 * MAX_US) == log_index(MAX_US)


def test_merging_is_exact_and_order_free() -> None:
    rng = random.Random(5)
    values = [rng.expovariate(1 / 80) for _ in range(3000)]
    whole = Histogram.of_latencies_ms(values)
    parts = [Histogram.of_latencies_ms(values[i::3]) for i in range(3)]
    assert parts[0].merge(parts[1]).merge(parts[2]) == whole
    assert parts[2].merge(parts[0]).merge(parts[1]) == whole
    assert whole.total == 3000


def test_percentiles_match_sorted_values_to_three_digits() -> None:
    rng = random.Random(7)
    values = sorted(rng.lognormvariate(3, 1) for _ in range(10_000))
    histogram = Histogram.of_latencies_ms(values)
    for q in (0.5, 0.9, 0.95, 0.99):
        exact = values[math.ceil(q * len(values)) - 1]
        assert histogram.percentile_ms(q) == pytest.approx(exact, rel=2e-3, abs=2e-3)
    assert Histogram().percentile_ms(0.5) is None


def test_count_below_is_exact_for_whole_buckets() -> None:
    histogram = Histogram.of_latencies_ms([1.0, 2.0, 199.0, 200.0, 201.0, 5000.0])
    assert histogram.count_below_ms(200.0) == 3
    assert histogram.count_below_ms(200.5) == 4


def test_bytes_round_trip_and_stay_small() -> None:
    rng = random.Random(11)
    histogram = Histogram.of_latencies_ms(rng.expovariate(1 / 50) for _ in range(5000))
    data = histogram.to_bytes()
    assert Histogram.from_bytes(data) == histogram
    assert len(data) < 4 * len(histogram.counts) + 1
    le = Histogram("le", {5.0: 3, 100.0: 2, math.inf: 1})
    assert Histogram.from_bytes(le.to_bytes()) == le


def test_a_scraped_histogram_interpolates_like_histogram_quantile() -> None:
    le = Histogram("le", {100.0: 50, 200.0: 50, math.inf: 0})
    assert le.percentile_ms(0.5) == 100.0
    assert le.percentile_ms(0.75) == 150.0
    assert Histogram("le", {100.0: 1, math.inf: 9}).percentile_ms(0.9) == 100.0


def test_a_threshold_that_is_no_bucket_bound_names_the_bounds_there_are() -> None:
    le = Histogram("le", {5.0: 3, 250.0: 2, math.inf: 1})
    assert le.count_below_ms(250.0) == 5
    with pytest.raises(BucketError, match=r"no bucket with le=200ms \(buckets: 5ms, 250ms\)"):
        le.count_below_ms(200.0)


def test_histograms_of_different_kinds_do_not_merge() -> None:
    with pytest.raises(ValueError, match="cannot merge"):
        Histogram.of_latencies_ms([1.0]).merge(Histogram("le", {5.0: 1}))


def test_a_recorder_freezes_into_the_histogram_of_the_same_values() -> None:
    rng = random.Random(5)
    values_us = [rng.randrange(0, 5_000_000) for _ in range(20_000)] + [MAX_US + 1, 0, 1]
    recorder = Recorder()
    for us in values_us:
        recorder.record(us)
    frozen = recorder.freeze()
    assert frozen == Histogram.of_latencies_ms(us / 1000 for us in values_us)
    assert Histogram.from_bytes(recorder.to_bytes()) == frozen
    recorder.add(frozen)
    assert recorder.total == 2 * len(values_us)
    qs = [0.999, 0.0, 0.5, 0.9, 0.99, 1.0]
    assert frozen.percentiles_ms(qs) == [frozen.percentile_ms(q) for q in qs]


def test_corrected_recording_back_fills_what_a_stalled_sender_could_not_send() -> None:
    recorder = Recorder()
    recorder.record_corrected(1_000_000, 100_000)  # 1 s stall at one request per 100 ms
    assert recorder.total == 10
    assert sorted(recorder.counts) == [log_index(us) for us in range(100_000, 1_000_001, 100_000)]
    recorder.record_corrected(50_000, 100_000)  # faster than the pace: nothing to back-fill
    assert recorder.total == 11
