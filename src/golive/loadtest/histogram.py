"""Latency histograms (HdrHistogram, microseconds) that merge exactly across processes."""

from __future__ import annotations

from hdrh.histogram import HdrHistogram

LOWEST_US = 1
HIGHEST_US = 600_000_000  # 10 minutes: anything slower is recorded as 10 minutes
DIGITS = 3  # 0.1 % resolution


def new() -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, DIGITS)


def record(histogram: HdrHistogram, micros: int, expected_interval_us: int = 0) -> None:
    """Record one latency; with ``expected_interval_us`` (closed model) back-fill the requests
    a stalled user could not send, as wrk2 and HdrHistogram's corrected recording do."""
    value = min(max(micros, LOWEST_US), HIGHEST_US)
    if expected_interval_us:
        histogram.record_corrected_value(value, expected_interval_us)
    else:
        histogram.record_value(value)


def encode(histogram: HdrHistogram) -> bytes:
    encoded: bytes = histogram.encode()
    return encoded


def merged(encoded: list[bytes]) -> HdrHistogram:
    """One histogram holding every recorded value of ``encoded`` (exact: counts add)."""
    total = new()
    for blob in encoded:
        total.decode_and_add(blob)
    return total


def ms_at(histogram: HdrHistogram, percentile: float) -> float:
    """The latency in milliseconds at ``percentile`` (0 when nothing was recorded)."""
    if histogram.get_total_count() == 0:
        return 0.0
    return float(histogram.get_value_at_percentile(percentile)) / 1000


def max_ms(histogram: HdrHistogram) -> float:
    if histogram.get_total_count() == 0:
        return 0.0
    return float(histogram.get_max_value()) / 1000
