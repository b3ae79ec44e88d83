"""The loops `golive serve` runs beside the check cycle, one per later stage.

Metrics sources, SLO evaluation, escalation, heartbeats, backup schedules, ...: each is one
module with a factory ``make(ctx) -> Service | None`` (None when the config asks for nothing it
does) and one line in ``SERVICES`` below. The runtime starts one task per service: ``tick`` runs
every ``interval`` seconds until golive stops (a failing tick is logged and counted in
``golive_cycle_errors_total{step=NAME}``, and the loop goes on), ``reload`` follows a new
config. Services keep their state in the store, so a restart continues where the last process
stopped; a service never touches the web or the CLI.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from golive.clock import Clock
from golive.config import LoadedConfig
from golive.engine.pings import PingBook
from golive.engine.results import CheckResult
from golive.records import Signal
from golive.serve import backups, heartbeats, incidents, report_service, slos, sources
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
)


def start_services(ctx: ServiceContext, factories: tuple[Factory, ...] = SERVICES) -> list[Service]:
    """The services the current config asks for."""
    return [service for make in factories if (service := make(ctx)) is not None]


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
