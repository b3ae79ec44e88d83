"""`golive serve` on a shared PostgreSQL store: the leased parts of a process (the evaluator,
and the scheduler when workers probe), each run only while its lease is held (``roles.lead``).
A stop ends them cleanly and releases the leases for an immediate hand-over; a reload reaches
every part running.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING

from golive.clock import Clock, SystemClock
from golive.config import LoadedConfig
from golive.serve.roles import Part, Wiring, holder_name, lead
from golive.serve.runtime import ServeRuntime
from golive.serve.web_role import reread_config
from golive.store import Store
from golive.web.runtime import ReloadOutcome

if TYPE_CHECKING:
    from golive.scale.leader import Leadership

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
        self.running: dict[str, ServeRuntime] = {}  # lease name → its part, while it leads
        self.leaderships: list[Leadership] = []

    def starter(self, name: str) -> Callable[[Store], Part]:
        """What runs under lease ``name``, over the store that lease fences."""

        def start(fenced: Store) -> Part:
            runtime = ServeRuntime(
                self.loaded,
                store=fenced,
                clock=self.clock,
                environ=self.environ,
                concurrency=self.concurrency,
            )
            self.running[name] = runtime
            return _Forget(runtime, lambda: self.running.pop(name, None))

        return start

    async def run(self) -> None:
        """Run the leased parts until ``stop()``; the leases are released on the way out."""
        from golive.scale.leader import Leadership  # the lease machinery, only at scale

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

    def __init__(self, runtime: ServeRuntime, forget: Callable[[], object]) -> None:
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
