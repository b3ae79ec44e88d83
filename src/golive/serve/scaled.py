"""`golive serve` on a shared PostgreSQL store: the leased parts of a process (the evaluator,
and the scheduler when workers probe), each run only while its lease is held (``roles.lead``).
A stop ends them cleanly and releases the leases for an immediate hand-over; a reload reaches
every part running.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, Metric

from golive.clock import Clock, SystemClock
from golive.config import LoadedConfig
from golive.serve.roles import Part, Wiring, holder_name, lead
from golive.serve.runtime import EngineFactory, ServeRuntime
from golive.serve.web_role import reread_config
from golive.store import Store
from golive.web.runtime import ReloadOutcome

if TYPE_CHECKING:
    from golive.scale.leader import Leadership
    from golive.serve.dispatching import Scheduler

log = logging.getLogger("golive.serve")


class Cluster:
    """One process of a scaled golive: its config (following reloads), its leases and the
    parts running under them now."""

    def __init__(
        self,
        loaded: LoadedConfig,
        wiring: Wiring,
        *,
        store: Store,
        environ: Mapping[str, str],
        ttl: timedelta,
        clock: Clock | None = None,
        concurrency: int = 500,
    ) -> None:
        self.loaded = loaded
        self.wiring = wiring
        self.store = store
        self.environ = environ
        self.ttl = ttl
        self.clock = clock or SystemClock()
        self.concurrency = concurrency
        self.holder = holder_name()
        self.stopping = asyncio.Event()
        self.running: dict[str, ServeRuntime | Scheduler] = {}  # lease → its part while it leads
        self.leaderships: list[Leadership] = []

    def starter(self, name: str) -> Callable[[Store], Part]:
        """What runs under lease ``name``, over the store that lease fences."""

        def start(fenced: Store) -> Part:
            part: ServeRuntime | Scheduler
            if name == "scheduler":
                from golive.serve.dispatching import Scheduler  # Celery: only with workers

                part = Scheduler(self.loaded, store=fenced, clock=self.clock)
            else:
                engine: EngineFactory | None = None
                if self.wiring.workers:
                    from golive.serve.dispatching import listening_engine

                    engine = listening_engine
                part = ServeRuntime(
                    self.loaded,
                    store=fenced,
                    clock=self.clock,
                    environ=self.environ,
                    concurrency=self.concurrency,
                    engine=engine,
                )
            self.running[name] = part
            return _Forget(part, lambda: self.running.pop(name, None))

        return start

    async def run(self) -> None:
        """Run the leased parts until ``stop()``; the leases are released on the way out."""
        from golive.scale.leader import Leadership  # the lease machinery, only at scale

        if self.wiring.workers:  # imported (Celery…) before leading: a term starts at once
            await asyncio.to_thread(importlib.import_module, "golive.serve.dispatching")
        self.leaderships = [
            Leadership(self.store, name, self.holder, ttl=self.ttl, clock=self.clock)
            for name in self.wiring.leases
        ]
        log.info(
            "golive serve (%s): %d checks, competing for %s as %s",
            "web + leased parts" if self.wiring.web else "leased parts",
            len(self.loaded.config.checks),
            ", ".join(self.wiring.leases) or "no lease",
            self.holder,
        )
        await asyncio.gather(
            *(
                lead(leadership, self.starter(leadership.name), self.stopping, ttl=self.ttl)
                for leadership in self.leaderships
            )
        )

    def stop(self) -> None:
        self.stopping.set()

    async def reload(self) -> ReloadOutcome:
        """Read the config again; every running part switches to it, later ones start on it."""
        fresh = await reread_config(self.loaded, self.environ)
        if isinstance(fresh, ReloadOutcome):
            return fresh
        self.loaded = fresh
        for runtime in list(self.running.values()):
            runtime.apply(fresh)
        names = len(fresh.config.checks)
        log.info("configuration reloaded: %d checks", names)
        return ReloadOutcome(True, f"reloaded: {names} checks")


class _Forget:
    """A part that forgets itself from the cluster's running parts once it has ended."""

    def __init__(self, runtime: ServeRuntime | Scheduler, forget: Callable[[], object]) -> None:
        self._runtime = runtime
        self._forget = forget

    async def run(self) -> None:
        try:
            await self._runtime.run()
        finally:
            self._forget()

    def stop(self) -> None:
        self._runtime.stop()

    def abandon(self) -> None:
        self._runtime.abandon()


# The scheduler's own counts: in the split they come from the leading scheduler, not from the
# evaluator (whose engine dispatches nothing).
_DISPATCH = {
    "golive_dispatch_lost": "Runs sent to a region that no worker answered in time",
    "golive_dispatch_send_failures": "Batches of checks the broker did not take",
}


class LeadingMetrics:
    """A Prometheus collector for a replica's ``/metrics``: the metrics of the parts this
    process leads now (the evaluator's cycle, checks and outbox; the scheduler's dispatch
    counts), and none of them while it stands by."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def collect(self) -> Iterator[Metric]:
        for part in list(self.cluster.running.values()):
            if isinstance(part, ServeRuntime):
                for family in part.metrics.registry.collect():
                    if not (self.cluster.wiring.workers and family.name in _DISPATCH):
                        yield family
            else:
                counts = {
                    "golive_dispatch_lost": part.counters.lost,
                    "golive_dispatch_send_failures": part.counters.send_failures,
                }
                for name, help_text in _DISPATCH.items():
                    yield CounterMetricFamily(name, help_text, value=counts[name])
