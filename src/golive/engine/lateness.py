"""How late golive's own event loop is: a timeout that fired while the loop was stalled (a
blocking call, a full GC, a busy core) measured golive, not the target.

``LoopWatch.run`` is a small task that sleeps ``interval`` at a time and notes how much later
than asked it woke; ``late_since`` is the worst lateness seen since a run started, counting a
wake-up that is overdue right now (the loop may not have got to it yet).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

INTERVAL = 0.1  # seconds between wake-ups
NOTABLE = 0.005  # seconds: lateness below this is the loop's ordinary jitter, not kept
KEPT = 1024  # notable samples kept (the oldest go first)
LATE_LIMIT = 0.25  # seconds: a timeout with the loop this late is inconclusive ...
LATE_SHARE = 0.25  # ... or this share of the timeout, whichever is less


def late_limit(timeout: float) -> float:
    """How late the loop may have been for a timeout of ``timeout`` seconds to still count."""
    return min(LATE_LIMIT, LATE_SHARE * timeout)


class LoopWatch:
    """Measures the event loop's lateness; ``monotonic`` is the clock (tests pass one they move)."""

    def __init__(
        self, *, monotonic: Callable[[], float] = time.monotonic, interval: float = INTERVAL
    ) -> None:
        self.monotonic = monotonic
        self.interval = interval
        self._due: float | None = None
        self._samples: deque[tuple[float, float]] = deque(maxlen=KEPT)  # (woke at, late by)

    async def run(self) -> None:
        """Wake every ``interval`` until cancelled, keeping each notable lateness."""
        try:
            while True:
                self._due = self.monotonic() + self.interval
                await asyncio.sleep(self.interval)
                self.woke()
        finally:
            self._due = None

    def woke(self) -> None:
        """Note one wake-up (``run`` calls it; a test may too)."""
        if self._due is None:
            return
        now = self.monotonic()
        late = now - self._due
        if late >= NOTABLE:
            self._samples.append((now, late))

    def late_since(self, since: float) -> float:
        """The most the loop has been late, in seconds, at any wake-up since ``since``."""
        now = self.monotonic()
        overdue = now - self._due if self._due is not None else 0.0
        worst = max(overdue, 0.0)
        for at, late in reversed(self._samples):  # newest first
            if at < since:
                break
            worst = max(worst, late)
        return worst
