"""One leader per role: ``Leadership`` takes and renews a store lease beside the role's loop and
says, as events, when this process leads and when it stops leading."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from golive.clock import Clock, SystemClock
from golive.exceptions import FencedOut, StoreError
from golive.store import Store
from golive.store.leases import Held, hold, release

T = TypeVar("T")


class Leadership:
    """Lease ``name`` for ``holder``, tried every ``ttl / 3`` by ``run()``.

    ``became_leader`` is set while this process leads and ``lost`` while it does not (both are
    levels, not pulses); ``held`` is the lease of the current term. A store error while renewing
    keeps the lead only until the lease's expiry as measured here by the monotonic clock from
    before the renewal that set it, so the local view never outlives the store's; a renewal that
    hangs past that point loses the lead too. ``while_leader(work)`` is the usual way in: it
    runs ``work(held)`` in each term and cancels it the moment the term ends."""

    def __init__(
        self,
        store: Store,
        name: str,
        holder: str,
        *,
        ttl: timedelta,
        clock: Clock | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if ttl <= timedelta(0):
            raise ValueError("a lease's ttl must be positive")
        self.store, self.name, self.holder, self.ttl = store, name, holder, ttl
        self.interval = ttl.total_seconds() / 3
        self.held: Held | None = None
        self.last_error: str | None = None  # the latest failed renewal's reason, for status
        self.became_leader = asyncio.Event()
        self.lost = asyncio.Event()
        self.lost.set()
        self._clock = clock or SystemClock()
        self._sleep = sleep
        self._deadline = 0.0  # monotonic time the current term lapses, as measured here
        self._term = asyncio.Event()  # set when the current term ends

    @property
    def is_leader(self) -> bool:
        """True while this process holds the lease and, by its own monotonic clock, the lease
        has not lapsed yet."""
        return self.held is not None and self._clock.monotonic() < self._deadline

    async def run(self) -> None:
        """Take or renew the lease every ``interval`` (sooner when the lead would lapse first),
        until cancelled; then release it, so a standby takes over at its next try."""
        try:
            while True:
                await self.attempt()
                pause = self.interval
                if self.held is not None:
                    pause = min(pause, max(0.0, self._deadline - self._clock.monotonic()))
                await self._sleep(pause)
                if self.held is not None and not self.is_leader:
                    self._lose("the lease lapsed before it could be renewed")
        finally:
            held, self.held = self.held, None
            self._end_term()
            if held is not None:
                with contextlib.suppress(StoreError):
                    await asyncio.to_thread(release, self.store, held)

    async def attempt(self) -> None:
        """One try at taking or renewing the lease, updating the events."""
        started = self._clock.monotonic()
        call = asyncio.ensure_future(
            asyncio.to_thread(
                hold, self.store, self.name, self.holder, ttl=self.ttl, now=self._clock.now()
            )
        )
        call.add_done_callback(_retrieved)  # a renewal given up on may still fail later
        try:
            if self.is_leader:
                left = max(0.0, self._deadline - started)
                held = await asyncio.wait_for(asyncio.shield(call), timeout=left)
            else:
                held = await call
        except TimeoutError:
            self._lose("the store did not answer before the lease lapsed")
            return
        except StoreError as exc:
            self.last_error = str(exc)
            if not self.is_leader:
                self._lose(str(exc))
            return
        if held is None:
            self._lose("another holder has the lease")
            return
        if self.held is not None and held.epoch != self.held.epoch:
            self._lose("the lease lapsed and was taken again")  # a new term: work restarts
        self.last_error = None
        self.held = held
        self._deadline = started + self.ttl.total_seconds()
        if not self.became_leader.is_set():
            self._term = asyncio.Event()
            self.lost.clear()
            self.became_leader.set()

    async def while_leader(self, work: Callable[[Held], Awaitable[T]]) -> T:
        """Wait until this process leads, run ``work(held)``, and cancel it at once when the
        term ends (then wait for the next one); return what ``work`` returns when it finishes
        while leading. A ``FencedOut`` from ``work`` ends the term as well."""
        while True:
            await self.became_leader.wait()
            held, term = self.held, self._term
            if held is None:
                continue
            task = asyncio.ensure_future(work(held))
            ended = asyncio.ensure_future(term.wait())
            try:
                await asyncio.wait({task, ended}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                ended.cancel()
                if not task.done():
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            if task.cancelled():
                continue
            exc = task.exception()
            if isinstance(exc, FencedOut):
                if self.held is not None and self.held.epoch == held.epoch:
                    self._lose(str(exc))
                continue
            return task.result()

    def _lose(self, why: str) -> None:
        self.last_error = why
        if self.held is None and self.lost.is_set():
            return
        self.held = None
        self._end_term()

    def _end_term(self) -> None:
        self._term.set()
        self.became_leader.clear()
        self.lost.set()


def _retrieved(call: asyncio.Future[Held | None]) -> None:
    """Read a finished renewal's outcome, so one given up on is not reported as unretrieved."""
    if not call.cancelled():
        call.exception()
