"""When each check runs: on its own interval, spread over that interval, never all at once.

Every check gets a stable phase inside its interval from a hash of its name, so 10,000 checks
at 30 s run about 333 a second, every second, instead of 10,000 at once; the phase survives
restarts and reloads. The first run comes early (within ``FIRST_RUN_SPREAD``, or at
``FIRST_RUN_RATE`` for thousands of checks, never all at once) so a freshly started server knows
every state quickly. Pure logic on monotonic seconds: tests pass numbers.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from golive.config import CheckBase

FIRST_RUN_SPREAD = 2.0  # seconds: every check's first run comes within this ...
FIRST_RUN_RATE = 250.0  # ... or slower, at this many first runs a second, for large configs


def phase(name: str) -> float:
    """A stable fraction in [0, 1) for ``name``."""
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class Due:
    check: CheckBase
    at: float


class Scheduler:
    """A heap of (due time, check); ``due(now)`` pops what is due and plans its next run."""

    def __init__(self, checks: Sequence[CheckBase], *, start: float) -> None:
        self.start = start
        self._checks: dict[str, CheckBase] = {}
        self._heap: list[tuple[float, int, str]] = []
        self._sequence = 0
        self.replace(checks, now=start)

    def __len__(self) -> int:
        return len(self._checks)

    def replace(self, checks: Sequence[CheckBase], *, now: float) -> None:
        """Use a new set of checks (a reload); unchanged names keep their place in time."""
        old = self._checks
        self._checks = {c.name: c for c in checks}
        first_spread = max(FIRST_RUN_SPREAD, len(checks) / FIRST_RUN_RATE)
        kept = {name: at for at, _, name in self._heap if name in self._checks}
        self._heap = []
        for check in checks:
            previous = old.get(check.name)
            if check.name in kept and previous is not None and previous.every == check.every:
                self._push(kept[check.name], check.name)
            else:
                spread = min(check.every.total_seconds(), first_spread)
                self._push(now + phase(check.name) * spread, check.name)

    def due(self, now: float) -> list[Due]:
        """Every check due at ``now``, each rescheduled to its next slot after ``now``."""
        found = []
        while self._heap and self._heap[0][0] <= now:
            at, _, name = heapq.heappop(self._heap)
            check = self._checks[name]
            found.append(Due(check, at))
            following = self.next_slot(check, now)
            if following - at < check.every.total_seconds() / 2:  # an early first run: its
                following += check.every.total_seconds()  # phase slot comes an interval later
            self._push(following, name)
        return found

    def next_wakeup(self) -> float | None:
        return self._heap[0][0] if self._heap else None

    def next_slot(self, check: CheckBase, now: float) -> float:
        """The first time after ``now`` at the check's phase of its interval (missed slots are
        skipped, not queued: a late check runs once, not many times)."""
        every = check.every.total_seconds()
        offset = self.start + phase(check.name) * every
        if now < offset:
            return offset
        following = offset + (int((now - offset) // every) + 1) * every
        return following if following > now else following + every  # float rounding at a slot

    def _push(self, at: float, name: str) -> None:
        self._sequence += 1
        heapq.heappush(self._heap, (at, self._sequence, name))
