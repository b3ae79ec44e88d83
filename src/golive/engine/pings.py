"""The ping side of `golive serve`, shared by the web routes and the heartbeat loop.

The web answers a ping with a dictionary lookup, a hash and an append (no store, no judging on
the request path); the heartbeat loop drains what arrived and judges it. A check's URL opens
with the SHA-256 of its secret, compared in constant time with the digest the store keeps (the
secret itself is never stored).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping

from golive.records import Ping
from golive.store.heartbeats import digest


class PingBook:
    """Which secret's digest opens which check's ping URL, and the pings not yet judged."""

    def __init__(self) -> None:
        self._digests: dict[str, str] = {}
        self._pings: list[Ping] = []
        self.wake: Callable[[], None] | None = None  # the heartbeat loop: judge now
        self.stale = False  # a URL did not open: the loop reads the secrets again soon

    def know(self, digests: Mapping[str, str]) -> None:
        """Use these secrets' digests (check → SHA-256 hex), replacing the ones known before."""
        self._digests = dict(digests)
        self.stale = False

    def opens(self, check: str, secret: str) -> bool:
        """Whether ``secret`` is ``check``'s: one answer for an unknown check and a wrong secret."""
        known = self._digests.get(check)
        if known is None or not hmac.compare_digest(known, digest(secret)):
            self.stale = True
            return False
        return True

    def record(self, ping: Ping) -> None:
        self._pings.append(ping)
        if self.wake is not None:
            self.wake()

    async def keep(self, ping: Ping) -> None:
        """What the web calls: here ``record``; a web replica's book stores the ping for the
        evaluator instead (and may raise ``StoreError``)."""
        self.record(ping)

    def drain(self) -> list[Ping]:
        pings, self._pings = self._pings, []
        return pings
