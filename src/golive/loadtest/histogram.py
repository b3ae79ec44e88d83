"""Latency histograms (the records ``log`` histogram, microseconds) that merge exactly across
processes: workers record into a ``Recorder`` and send its compact bytes (``to_bytes``)."""

from __future__ import annotations

from collections.abc import Sequence

from golive.records.histogram import Histogram, Recorder

LOWEST_US = 1
HIGHEST_US = 600_000_000  # 10 minutes: anything slower is recorded as 10 minutes


def new() -> Recorder:
    return Recorder()


def record(histogram: Recorder, micros: int, expected_interval_us: int = 0) -> None:
    """Record one latency; with ``expected_interval_us`` (closed model) back-fill the requests
    a stalled user could not send, as wrk2 and HdrHistogram's corrected recording do."""
    value = min(max(micros, LOWEST_US), HIGHEST_US)
    if expected_interval_us:
        histogram.record_corrected(value, expected_interval_us)
    else:
        histogram.record(value)


def encode(histogram: Recorder) -> bytes:
    return histogram.to_bytes()


def merged(encoded: list[bytes]) -> Histogram:
    """One histogram holding every recorded value of ``encoded`` (exact: counts add)."""
    total = Recorder()
    for blob in encoded:
        total.add(Histogram.from_bytes(blob))
    return total.freeze()


def ms_at(histogram: Histogram, percentile: float) -> float:
    """The latency in milliseconds at ``percentile`` (0 when nothing was recorded)."""
    return ms_at_each(histogram, [percentile])[0]


def ms_at_each(histogram: Histogram, percentiles: Sequence[float]) -> list[float]:
    """``ms_at`` for each of ``percentiles`` (0..100), in one pass."""
    found = histogram.percentiles_ms([p / 100 for p in percentiles])
    return [0.0 if ms is None else ms for ms in found]


def max_ms(histogram: Histogram) -> float:
    return ms_at(histogram, 100)
