"""``Memo``: one value computed by one thread at a time and served to everyone while fresh, so
that a burst of requests for an expensive read costs one computation, not one each."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.concurrency import run_in_threadpool

T = TypeVar("T")


@dataclass(frozen=True)
class _Entry(Generic[T]):
    key: Hashable
    value: T
    at: float


class Memo(Generic[T]):
    """One value, kept while its key stays the same and (with ``ttl``) for at most ``ttl``
    seconds of the clock's ``monotonic()``.

    One thread computes at a time. While it does, the others get the value it replaces if
    there is one (a few milliseconds stale, never blocked), else they wait for it. Thread-safe:
    sync routes call ``get`` from the thread pool; async routes call ``aget``, which answers a
    fresh value on the event loop and sends at most one computation to a thread.
    """

    def __init__(self, *, ttl: float | None = None) -> None:
        self.ttl = ttl
        self._entry: _Entry[T] | None = None
        self._lock = threading.Lock()
        self._running: asyncio.Future[T] | None = None  # aget's computation in a thread

    def get(self, key: Hashable, compute: Callable[[], T], *, now: float) -> T:
        entry = self._entry
        if entry is not None and self._fresh(entry, key, now):
            return entry.value
        if not self._lock.acquire(blocking=entry is None):
            assert entry is not None
            return entry.value  # someone is computing the new value: take the previous one
        try:
            entry = self._entry
            if entry is not None and self._fresh(entry, key, now):
                return entry.value
            value = compute()
            self._entry = _Entry(key, value, now)
            return value
        finally:
            self._lock.release()

    async def aget(self, key: Hashable, compute: Callable[[], T], *, now: float) -> T:
        """``get`` for an async route: a fresh value is answered on the event loop; while a
        worker thread computes the next one, every other request gets the value it replaces
        (or, when there is none yet, waits for that same computation), so a burst of
        requests at expiry costs one thread, not one each."""
        entry = self._entry
        if entry is not None and self._fresh(entry, key, now):
            return entry.value
        running = self._running  # of this loop: a test client's loop may have closed
        if (
            running is not None
            and running.get_loop() is asyncio.get_running_loop()
            and not running.done()
        ):
            if entry is not None:
                return entry.value
            return await asyncio.shield(running)
        task = asyncio.ensure_future(run_in_threadpool(self.get, key, compute, now=now))
        self._running = task
        return await asyncio.shield(task)

    def _fresh(self, entry: _Entry[T], key: Hashable, now: float) -> bool:
        return entry.key == key and (self.ttl is None or now - entry.at < self.ttl)
