"""Per-upstream request windows read straight from the edge's nginx-json access log.

The metrics service stores per-minute rows, too coarse to judge a canary within seconds, so a
rollout reads the same log itself from the byte offset where its step began (the offset is
stored with the rollout: a restarted golive judges the same requests again).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from golive.records.histogram import Histogram


@dataclass
class Window:
    """Requests of one pool since a step began: how many, how many failed (>= 500), latencies."""

    count: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def error_rate(self) -> float:
        return self.errors / self.count if self.count else 0.0

    def percentile_ms(self, q: float) -> float | None:
        """The latency (ms) below which ``q`` of the requests fell (nearest rank)."""
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]

    @property
    def histogram(self) -> Histogram:
        """The latencies as the log-linear histogram the judge's Mann-Whitney test reads."""
        return Histogram.of_latencies_ms(self.latencies_ms)

    def add(self, status: int, ms: float) -> None:
        self.count += 1
        self.errors += status >= 500
        self.latencies_ms.append(ms)


def log_size(path: Path) -> int:
    """Where a step's analysis starts reading: the log's current end (0 when absent)."""
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def read_pools(
    path: Path, offset: int, pools: Iterable[tuple[str, Iterable[str]]]
) -> dict[str, Window]:
    """One window per pool name over the log's complete lines from ``offset``; a request counts
    for the pool of the upstream that answered it last (``upstream_addr`` lists retries)."""
    owner = {addr: pool for pool, addrs in pools for addr in addrs}
    windows = {pool: Window() for pool in set(owner.values())}
    try:
        with path.open("rb") as f:
            if path.stat().st_size < offset:
                offset = 0  # rotated under us: the new file holds only newer requests
            f.seek(offset)
            data = f.read()
    except FileNotFoundError:
        return windows
    for line in data[: data.rfind(b"\n") + 1].splitlines():
        try:
            entry = json.loads(line)
            addr = str(entry.get("upstream_addr", "")).split(",")[-1].strip()
            pool = owner.get(addr)
            if pool is None:
                continue
            status = int(entry["status"])
            if "upstream_response_ms" in entry:  # haproxy's %Tr: it cannot log seconds
                ms = float(entry["upstream_response_ms"])
            else:
                seconds = str(entry.get("upstream_response_time") or entry.get("request_time", 0))
                ms = float(seconds.split(",")[-1].strip() or 0) * 1000
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # a bad line never stops a judgement
        windows[pool].add(status, ms)
    return windows
