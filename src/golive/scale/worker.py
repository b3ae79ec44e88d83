"""What runs inside `golive worker --region R`: the probe task on one shared asyncio loop, the
results into the store's inbox, the long-job task (``golive.scale.jobs``), and a heartbeat row
every few seconds.

Celery's thread pool hands each task (a batch of due checks) to a thread, which submits the
batch to the worker's one event loop and waits: every probe of every running batch shares
one loop and one HTTP session (no ``asyncio.run`` per task, no loop per thread). The config
named by a task is loaded once and again only when its file's mtime changes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from celery import Celery

from golive.clock import Clock
from golive.config import LoadedConfig
from golive.engine.lateness import LoopWatch
from golive.engine.run import http_session, run_check, watching_the_loop
from golive.scale.jobs import JOB_TASK, JobRunner, JobTask
from golive.scale.payload import to_payload
from golive.scale.regions import HEARTBEAT_SECONDS
from golive.scale.tasks import TASK, Batch, Item, queue
from golive.store import Store
from golive.store.scale import InboxEntry, WorkerBeat, add_results, beat

log = logging.getLogger("golive.worker")

T = TypeVar("T")
Loader = Callable[[Path, str], LoadedConfig]


class ProbeWorker:
    """One worker process's probing: the event loop thread, the configs, the counts."""

    def __init__(
        self,
        *,
        region: str,
        concurrency: int,
        store: Store,
        clock: Clock,
        load: Loader,
        probes: int = 500,
    ) -> None:
        self.region = region
        self.concurrency = concurrency
        self.store = store
        self.clock = clock
        self.name = f"{region}@{socket.gethostname()}:{os.getpid()}"
        self.started_at = clock.now()
        self.runs = 0
        self.failures = 0
        self._load = load
        self._configs: dict[tuple[str, str], tuple[float, LoadedConfig]] = {}
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="probes", daemon=True)
        self._thread.start()
        self._exit = AsyncExitStack()
        self._watch = LoopWatch()  # replaced by the running one in _open
        self._session: aiohttp.ClientSession = self.call(self._open(probes))
        self._slots = asyncio.Semaphore(probes)

    async def _open(self, probes: int) -> aiohttp.ClientSession:
        agent = f"golive-probe (region {self.region})"
        self._watch = await self._exit.enter_async_context(watching_the_loop())
        return await self._exit.enter_async_context(http_session(probes, user_agent=agent))

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the worker's loop and wait for it (from any thread)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def close(self) -> None:
        """Close the HTTP session and stop the loop (after the last task)."""
        self.call(self._exit.aclose())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def config(self, path: str, environment: str) -> LoadedConfig:
        """The config at ``path``, loaded again only when the file changed."""
        mtime = Path(path).stat().st_mtime
        with self._lock:
            known = self._configs.get((path, environment))
            if known is not None and known[0] == mtime:
                return known[1]
        loaded = self._load(Path(path), environment)
        with self._lock:
            self._configs[(path, environment)] = (mtime, loaded)
        return loaded

    def run_batch(self, batch: Batch) -> int:
        """Run a batch's checks (those still in the config) and write their results to the
        inbox; return how many ran."""
        try:
            loaded = self.config(batch.config, batch.environment)
            entries = self.call(self._probe(loaded, batch.items))
            add_results(self.store, entries)
        except Exception:
            with self._lock:
                self.failures += 1
            raise
        with self._lock:
            self.runs += len(entries)
        return len(entries)

    async def _probe(self, loaded: LoadedConfig, items: tuple[Item, ...]) -> list[InboxEntry]:
        checks = {c.name: c for c in loaded.runnable_checks()}

        async def one(item: Item) -> InboxEntry | None:
            check = checks.get(item.check)
            if check is None:  # removed from the config since it was sent
                return None
            async with self._slots:
                result = await run_check(
                    loaded, check, clock=self.clock, http=self._session, watch=self._watch
                )
            return InboxEntry(
                check=check.name,
                region=self.region,
                dispatch=item.dispatch,
                payload=to_payload(result),
                taken_at=result.taken_at,
                received_at=self.clock.now(),
            )

        found = await asyncio.gather(*(one(item) for item in items))
        return [entry for entry in found if entry is not None]

    def heartbeat(self) -> None:
        """Write this worker's row (seen now, with its counts)."""
        with self._lock:
            runs, failures = self.runs, self.failures
        beat(
            self.store,
            WorkerBeat(
                name=self.name,
                region=self.region,
                pid=os.getpid(),
                concurrency=self.concurrency,
                started_at=self.started_at,
                seen_at=datetime.now(UTC),
                runs=runs,
                failures=failures,
            ),
        )


class Heartbeats:
    """A thread that writes the worker's heartbeat every ``seconds`` until stopped."""

    def __init__(self, worker: ProbeWorker, seconds: float = HEARTBEAT_SECONDS) -> None:
        self._worker = worker
        self._seconds = seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def start(self) -> None:
        self._worker.heartbeat()  # the first at once: `golive status` sees the worker start
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=self._seconds + 5)

    def _run(self) -> None:
        while not self._stop.wait(self._seconds):
            try:
                self._worker.heartbeat()
            except Exception as exc:  # the store is away for a while: say so, beat again later
                log.error("heartbeat failed: %s", exc)


def register(app: Celery, worker: ProbeWorker, jobs: JobRunner | None = None) -> None:
    """Register the probe task on ``app``, run by ``worker``, and the long-job task when
    ``jobs`` is given."""

    @app.task(name=TASK)  # type: ignore[untyped-decorator]
    def probe(config: str, environment: str, region: str, items: list[list[object]]) -> int:
        return worker.run_batch(Batch.of(config, environment, region, items))

    if jobs is None:
        return

    # acks_late like probes: a task a dead worker took is delivered again; the store's claim
    # makes that delivery (and one Redis hands out while a long backup still runs) a no-op
    @app.task(name=JOB_TASK, acks_late=True)  # type: ignore[untyped-decorator]
    def job(
        job: int,
        config: str,
        environment: str,
        kind: str,
        name: str,
        options: dict[str, Any] | None = None,
    ) -> bool:
        return jobs.handle(JobTask(job, config, environment, kind, name, options or {}))


def start(
    app: Celery,
    worker: ProbeWorker,
    *,
    heartbeat: float = HEARTBEAT_SECONDS,
    jobs: JobRunner | None = None,
) -> int:
    """Consume the region's queue until SIGTERM/SIGINT (Celery's warm shutdown: running
    batches and jobs finish); return the worker's exit code."""
    register(app, worker, jobs)
    beats = Heartbeats(worker, heartbeat)
    beats.start()
    consumer = app.Worker(
        hostname=f"golive-{worker.region}-{os.getpid()}@{socket.gethostname()}",
        queues=[queue(worker.region)],
        pool="threads",
        concurrency=worker.concurrency,
        loglevel="WARNING",
        quiet=True,
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
    )
    try:
        consumer.start()
    finally:
        beats.stop()
        worker.close()
    return int(consumer.exitcode or 0)
