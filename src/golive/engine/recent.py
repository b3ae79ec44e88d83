"""The last few runs of each check, kept in memory for sparklines: latency, or a failure.

Compact on purpose (an array of 4-byte floats per check, about 150 bytes at 20 runs), so that
10,000 checks cost about 1.5 MB. Not persisted: after a restart the sparklines fill again as
checks run. Safe to read from another thread (each array operation holds the GIL).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable

KEEP = 20
FAILED = math.nan  # a failed run in the array; None when read


class RecentRuns:
    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self._runs: dict[str, array[float]] = {}

    def add(self, name: str, ok: bool, latency_ms: float | None) -> None:
        runs = self._runs.get(name)
        if runs is None:
            runs = self._runs[name] = array("f")
        runs.append((latency_ms or 0.0) if ok else FAILED)
        if len(runs) > self.keep:
            del runs[0]

    def of(self, names: Iterable[str]) -> dict[str, tuple[float | None, ...]]:
        """Oldest first; ``None`` for a failed run; checks without runs are left out."""
        found = {}
        for name in names:
            runs = self._runs.get(name)
            if runs:
                found[name] = tuple(None if math.isnan(v) else v for v in runs.tolist())
        return found

    def forget(self, keep_only: Iterable[str]) -> None:
        """Drop the checks a reload removed."""
        kept = set(keep_only)
        self._runs = {name: runs for name, runs in self._runs.items() if name in kept}
