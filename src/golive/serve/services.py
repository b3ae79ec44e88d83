"""The loops `golive serve` runs beside the check cycle, one per later stage.

Metrics sources, SLO evaluation, escalation, heartbeats, backup schedules, ...: each is one
module with a factory ``make(ctx) -> Service | None`` (None when the config asks for nothing it
does) and one line in ``SERVICES`` below. The runtime starts one task per service: ``tick`` runs
every ``interval`` seconds until golive stops (a failing tick is logged and counted in
``golive_cycle_errors_total{step=NAME}``, and the loop goes on), ``reload`` follows a new
config; a factory that had nothing to run is asked again on each reload, so a section added
to a running golive starts its service. Services keep their state in the store, so a restart
continues where the last process stopped; a service never touches the web or the CLI.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from golive.clock import Clock
from golive.config import LoadedConfig
from golive.engine.pings import PingBook
from golive.engine.results import CheckResult
from golive.records import Signal
from golive.serve import (
    backups,
    heartbeats,
    incidents,
    regions,
    report_service,
    rollouts,
    slos,
    sources,
)
from golive.serve.metrics import Metrics
from golive.store import Store


@dataclass(frozen=True)
class ServiceContext:
    """What a service may use. ``config()`` is the current config (it follows reloads);
    ``wake()`` asks the runtime for an alert and notify cycle now instead of within the second;
    ``submit(result)`` hands a run that did not come from the engine (a heartbeat's ping) to
    the next cycle, like a probe result; ``pings`` is what the web's ping URLs received;
    ``signal(signals)`` hands rule alerts not fed by a check (``requests:``, ``slo:``) their
    latest values: the next alert cycle judges them (call ``wake()`` for it to be now)."""

    store: Store
    clock: Clock
    environ: Mapping[str, str]
    metrics: Metrics
    config: Callable[[], LoadedConfig]
    wake: Callable[[], None]
    stopping: Callable[[], bool]
    submit: Callable[[CheckResult], None]
    pings: PingBook
    signal: Callable[[Sequence[Signal]], None] = lambda _signals: None


class Service(Protocol):
    name: str
    interval: float  # seconds between two ticks

    async def tick(self, now: datetime) -> None: ...

    def reload(self, loaded: LoadedConfig) -> None: ...


Factory = Callable[[ServiceContext], "Service | None"]

# One line per stage: ``module.make``, in the order they start.
SERVICES: tuple[Factory, ...] = (
    report_service.make,
    heartbeats.make,
    backups.make,
    incidents.make,
    sources.make,
    slos.make,
    rollouts.make,
    regions.make,
)


class Services:
    """The running services, and the factories that had nothing to run yet: a reload asks
    those again, so a section added to a running golive starts its service (no restart)."""

    def __init__(self, ctx: ServiceContext, factories: tuple[Factory, ...] = SERVICES) -> None:
        self._ctx = ctx
        self._made: dict[Factory, Service | None] = {make: make(ctx) for make in factories}
        self._tasks: list[asyncio.Task[None]] = []
        self._run: Callable[[Service], Coroutine[Any, Any, None]] | None = None

    def __iter__(self) -> Iterator[Service]:
        return iter([s for s in self._made.values() if s is not None])

    def launch(self, run: Callable[[Service], Coroutine[Any, Any, None]]) -> None:
        """Start a task running ``run(service)`` for each service, now and for those to come."""
        self._run = run
        for service in self:
            self._start(service)

    def reload(self, loaded: LoadedConfig) -> None:
        for make, service in self._made.items():
            if service is not None:
                service.reload(loaded)
            elif (fresh := make(self._ctx)) is not None:
                self._made[make] = fresh
                if self._run is not None:
                    self._start(fresh)

    @property
    def tasks(self) -> list[asyncio.Task[None]]:
        """The services' running tasks (a runtime that must stop at once cancels them)."""
        return list(self._tasks)

    async def stopped(self) -> None:
        """Wait for every service's task (after the runtime set its stop event)."""
        await asyncio.gather(*self._tasks)

    def _start(self, service: Service) -> None:
        assert self._run is not None
        self._tasks.append(asyncio.create_task(self._run(service), name=service.name))


async def run_service(
    service: Service,
    clock: Clock,
    stopped: asyncio.Event,
    guard: Callable[[str, Callable[[datetime], Awaitable[None]], datetime], Awaitable[None]],
) -> None:
    """Tick ``service`` until ``stopped`` is set; ``guard`` logs and counts a failing tick."""
    while not stopped.is_set():
        await guard(service.name, service.tick, clock.now())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopped.wait(), service.interval)
