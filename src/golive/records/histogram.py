"""Mergeable latency histograms: the per-minute shape of request latencies.

Two kinds, one interface:

- ``log``: log-linear buckets over microseconds with 3 significant digits (HdrHistogram's
  layout: 2,048 exact sub-buckets, then 1,024 per power of two), 1 µs .. 1 h; built from
  access logs, where every request's latency is known.
- ``le``: a Prometheus histogram's ``le`` buckets (upper bounds in milliseconds, the last
  ``inf``); built from scrapes, so a threshold must be one of its bounds.

Both merge exactly (bucket counts add) and serialise compactly (``to_bytes``). A ``Recorder``
is the mutable ``log`` histogram for hot loops (a load generator's): it records in place and
freezes into a ``Histogram``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

SUB_BITS = 11  # 2,048 sub-buckets: relative error below 1/1,024 (3 significant digits)
HALF = 1 << (SUB_BITS - 1)
MAX_US = 3_600_000_000  # 1 h: longer latencies are counted as 1 h


def log_index(us: int) -> int:
    """The ``log`` bucket of a latency in whole microseconds (clamped to 0 .. 1 h)."""
    if us < 2 * HALF:
        return us if us > 0 else 0
    if us > MAX_US:
        us = MAX_US
    shift = us.bit_length() - SUB_BITS
    return (shift + 1) * HALF + (us >> shift) - HALF


def log_bounds(index: int) -> tuple[int, int]:
    """The lowest and highest microsecond value of a ``log`` bucket."""
    if index < 2 * HALF:
        return index, index
    shift = index // HALF - 1
    sub = index % HALF + HALF
    return sub << shift, ((sub + 1) << shift) - 1


class BucketError(ValueError):
    """A threshold that is not one of an ``le`` histogram's bounds."""


@dataclass(frozen=True)
class Histogram:
    """Bucket counts: ``log`` index → count, or ``le`` bound (ms) → count (not cumulative)."""

    kind: Literal["log", "le"] = "log"
    counts: Mapping[float, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @classmethod
    def of_latencies_ms(cls, values: Iterable[float]) -> Histogram:
        counts: dict[float, int] = {}
        for value in values:
            index = log_index(round(value * 1000))
            counts[index] = counts.get(index, 0) + 1
        return cls("log", counts)

    def merge(self, other: Histogram) -> Histogram:
        """The two histograms' counts added (an empty one takes the other's kind)."""
        if not other.counts:
            return self
        if not self.counts:
            return other
        if other.kind != self.kind:
            raise ValueError(f"cannot merge a {other.kind} histogram into a {self.kind} one")
        counts = dict(self.counts)
        for key, count in other.counts.items():
            counts[key] = counts.get(key, 0) + count
        return Histogram(self.kind, counts)

    def bounds_ms(self) -> list[float]:
        """An ``le`` histogram's finite bounds, ascending (empty for ``log``)."""
        return sorted(b for b in self.counts if self.kind == "le" and b != math.inf)

    def percentile_ms(self, q: float) -> float | None:
        """The latency below which ``q`` (0..1) of the requests fall; None without requests.

        ``log``: the highest value of the bucket holding that rank (as HdrHistogram does);
        ``le``: linear interpolation inside the bucket, like PromQL's ``histogram_quantile``
        (a rank in the ``+Inf`` bucket gives the highest finite bound).
        """
        total = self.total
        if total == 0:
            return None
        rank = max(1.0, q * total) if self.kind == "log" else q * total
        seen = 0
        lower = 0.0
        for key in sorted(self.counts):
            count = self.counts[key]
            if self.kind == "log":
                if count and seen + count >= rank:
                    return log_bounds(int(key))[1] / 1000
            else:
                if count and seen + count >= rank:
                    if key == math.inf:
                        return lower
                    return lower + (key - lower) * (rank - seen) / count
                lower = key if key != math.inf else lower
            seen += count
        return lower if self.kind == "le" else log_bounds(int(max(self.counts)))[1] / 1000

    def percentiles_ms(self, qs: Sequence[float]) -> list[float | None]:
        """``percentile_ms`` of each of ``qs`` (0..1), in one pass over the buckets."""
        total = self.total
        if self.kind != "log" or total == 0:
            return [self.percentile_ms(q) for q in qs]
        order = sorted(range(len(qs)), key=lambda i: qs[i])
        ranks = [max(1.0, qs[i] * total) for i in order]
        out: list[float | None] = [None] * len(qs)
        seen = done = 0
        for key in sorted(self.counts):
            seen += self.counts[key]
            while done < len(order) and seen >= ranks[done]:
                out[order[done]] = log_bounds(int(key))[1] / 1000
                done += 1
            if done == len(order):
                break
        return out

    def count_below_ms(self, threshold: float) -> int:
        """Requests faster than ``threshold`` ms: whole ``log`` buckets below it (a bucket the
        threshold cuts counts as not below); for ``le``, the buckets up to the bound
        ``threshold``, which must be one of them (``BucketError`` names those that exist)."""
        if self.kind == "le":
            if threshold not in self.counts:
                known = ", ".join(f"{b:g}ms" for b in self.bounds_ms()) or "none"
                raise BucketError(f"no bucket with le={threshold:g}ms (buckets: {known})")
            return sum(c for b, c in self.counts.items() if b <= threshold)
        limit = threshold * 1000
        return sum(c for i, c in self.counts.items() if log_bounds(int(i))[1] < limit)

    def to_bytes(self) -> bytes:
        """``log``: ``L`` + varints of (index delta, count); ``le``: ``B`` + JSON pairs."""
        if self.kind == "le":
            pairs = [[("inf" if b == math.inf else b), c] for b, c in sorted(self.counts.items())]
            return b"B" + json.dumps(pairs, separators=(",", ":")).encode()
        out = bytearray(b"L")
        append, counts, previous = out.append, self.counts, 0
        for key in sorted(counts):  # varints inlined: one byte each is the common case
            index = int(key)
            delta, count = index - previous, counts[key]
            previous = index
            if delta < 0x80 and count < 0x80:
                append(delta)
                append(count)
                continue
            for value in (delta, count):
                while value >= 0x80:
                    append((value & 0x7F) | 0x80)
                    value >>= 7
                append(value)
        return bytes(out)

    @classmethod
    def from_bytes(cls, data: bytes) -> Histogram:
        if data[:1] == b"B":
            pairs = json.loads(data[1:])
            return cls("le", {(math.inf if b == "inf" else float(b)): int(c) for b, c in pairs})
        counts: dict[float, int] = {}
        values: list[int] = []
        value = shift = 0
        for byte in data[1:]:  # varints inlined: (index delta, count) pairs
            if byte < 0x80:
                values.append(value | (byte << shift))
                value = shift = 0
            else:
                value |= (byte & 0x7F) << shift
                shift += 7
        index = 0
        for i in range(0, len(values) - 1, 2):
            index += values[i]
            counts[index] = values[i + 1]
        return cls("log", counts)


class Recorder:
    """A ``log`` histogram being recorded: one dict increment per value, ``freeze`` for the rest."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts: dict[float, int] = {}  # log index → count

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def record(self, us: int) -> None:
        """Count one latency in whole microseconds (clamped to 0 .. 1 h)."""
        index = (us if us > 0 else 0) if us < 2 * HALF else log_index(us)
        counts = self.counts
        counts[index] = counts.get(index, 0) + 1

    def record_corrected(self, us: int, expected_us: int) -> None:
        """Count one latency and, when it exceeds ``expected_us`` (a closed model's pacing
        interval), the requests a stalled sender could not send meanwhile: ``us - expected_us``,
        ``us - 2 * expected_us``, ... down to ``expected_us`` (HdrHistogram's corrected
        recording, as wrk2 does)."""
        self.record(us)
        if expected_us <= 0:
            return
        missing = us - expected_us
        while missing >= expected_us:
            self.record(missing)
            missing -= expected_us

    def add(self, histogram: Histogram) -> None:
        """Add a ``log`` histogram's counts (exact: counts add)."""
        if histogram.kind != "log" and histogram.counts:
            raise ValueError("cannot add an le histogram to a log recorder")
        counts = self.counts
        for key, count in histogram.counts.items():
            index = int(key)
            counts[index] = counts.get(index, 0) + count

    def freeze(self) -> Histogram:
        """The counts so far, as an immutable ``Histogram`` (the recorder goes on)."""
        counts: dict[float, int] = dict(self.counts)
        return Histogram("log", counts)

    def to_bytes(self) -> bytes:
        return self.freeze().to_bytes()
