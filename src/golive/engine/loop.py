"""The engine loop of `golive serve`: runs due checks with bounded concurrency, forever.

Each due check becomes a task that waits for one of ``concurrency`` slots, runs with its own
timeout, and hands its result to ``drain()``. A check still running when it is due again is
skipped (counted), so a slow target never piles up work or delays the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

from golive.clock import Clock
from golive.config import CheckBase, LoadedConfig
from golive.engine.lateness import LoopWatch
from golive.engine.results import CheckResult
from golive.engine.run import http_session, run_check, watching_the_loop
from golive.engine.scheduler import Due, Scheduler

MAX_IDLE = 0.5  # seconds: wake at least this often to notice reloads and stops


@dataclass
class EngineCounters:
    runs: int = 0
    skipped: int = 0
    lost: int = 0  # sent to a worker, never answered (golive.scale; 0 in-process)
    send_failures: int = 0  # batches the broker did not take (golive.scale; 0 in-process)
    lag_seconds: list[float] = field(default_factory=list)


class EngineBase:
    """What every engine holds besides its way of probing: its config, clock and callbacks,
    the counters, the results waiting for ``drain()``, and the wake event and stop flag of its
    ``run`` (this in-process ``Engine`` and ``golive.scale.remote.RemoteEngine``)."""

    def __init__(
        self,
        loaded: LoadedConfig,
        *,
        clock: Clock,
        on_lag: Callable[[CheckBase, float], None] | None,
        on_result: Callable[[CheckResult], None] | None,
    ) -> None:
        self.loaded = loaded
        self.clock = clock
        self.on_lag = on_lag
        self.on_result = on_result
        self.counters = EngineCounters()
        self._results: list[CheckResult] = []
        self._wake = asyncio.Event()
        self._stopping = False

    def drain(self) -> list[CheckResult]:
        """The results that arrived since the last call."""
        results, self._results = self._results, []
        return results

    def submit(self, result: CheckResult) -> None:
        """Hand a finished result to the next ``drain()``."""
        self.counters.runs += 1
        self._results.append(result)
        if self.on_result is not None:
            self.on_result(result)

    def stop(self) -> None:
        """Ask ``run`` to return (the in-process engine cancels the checks still running)."""
        self._stopping = True
        self._wake.set()


class Engine(EngineBase):
    """Runs the checks of a config on their schedules until stopped."""

    def __init__(
        self,
        loaded: LoadedConfig,
        *,
        clock: Clock,
        concurrency: int = 500,
        on_lag: Callable[[CheckBase, float], None] | None = None,
        on_result: Callable[[CheckResult], None] | None = None,
        watch: LoopWatch | None = None,
    ) -> None:
        super().__init__(loaded, clock=clock, on_lag=on_lag, on_result=on_result)
        self.concurrency = concurrency
        self.watch = watch or LoopWatch()
        self._running: dict[str, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(concurrency)
        self._scheduler = Scheduler(loaded.runnable_checks(), start=time.monotonic())

    def consumed(self) -> list[int]:
        """Inbox rows behind the drained results: none, this engine probes in-process
        (``golive.scale.remote.RemoteEngine`` reads its results from the store)."""
        return []

    def reload(self, loaded: LoadedConfig) -> None:
        """Switch to a new (already validated) config; unchanged checks keep their schedule."""
        self.loaded = loaded
        self._scheduler.replace(loaded.runnable_checks(), now=time.monotonic())
        self._wake.set()

    async def run(self) -> None:
        async with http_session(self.concurrency) as session, watching_the_loop(self.watch):
            while not self._stopping:
                now = time.monotonic()
                for due in self._scheduler.due(now):
                    self._start(due, session)
                wakeup = self._scheduler.next_wakeup()
                delay = (
                    MAX_IDLE
                    if wakeup is None
                    else min(MAX_IDLE, max(0.0, wakeup - time.monotonic()))
                )
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
            await self._cancel_running()

    def _start(self, due: Due, session: aiohttp.ClientSession) -> None:
        name = due.check.name
        if name in self._running:
            self.counters.skipped += 1
            return
        task = asyncio.create_task(self._run_one(due, session), name=f"check:{name}")
        self._running[name] = task
        task.add_done_callback(lambda _: self._running.pop(name, None))

    async def _run_one(self, due: Due, session: aiohttp.ClientSession) -> None:
        async with self._slots:
            lag = time.monotonic() - due.at
            self.counters.lag_seconds.append(lag)
            if self.on_lag is not None:
                self.on_lag(due.check, lag)
            result = await run_check(
                self.loaded, due.check, clock=self.clock, http=session, watch=self.watch
            )
        self.submit(result)

    async def _cancel_running(self) -> None:
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
