"""The region service of `golive serve` with ``workers:``: every few seconds it tells the alert
cycle how many live workers each region has; a region with none raises ``region:NAME``
through the same states, routes and outbox as a check's alert (not in serve's first
``ALIVE_WITHIN``: workers started beside it have that long to beat)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

from golive.alerts.rules import region_alert_name
from golive.config import LoadedConfig
from golive.records import Signal
from golive.scale import regions
from golive.store.scale import list_workers

if TYPE_CHECKING:
    from golive.serve.services import Service, ServiceContext


class RegionService:
    name = "regions"
    interval = 5.0

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.loaded = ctx.config()
        self.since = ctx.clock.now()

    def reload(self, loaded: LoadedConfig) -> None:
        self.loaded = loaded

    async def tick(self, now: datetime) -> None:
        beats = await asyncio.to_thread(list_workers, self.ctx.store)
        signals = []
        starting = now - self.since < regions.ALIVE_WITHIN
        for region in self.loaded.config.workers.regions:
            count = len(regions.alive(beats, region, now))
            if starting and not count:  # workers started beside serve have time to beat
                continue
            target = f"region {region}: {count} live workers"
            values = {"workers_alive": float(count)}
            signals.append(Signal(region_alert_name(region), now, values, target=target))
        if signals:
            self.ctx.signal(signals)
            self.ctx.wake()


def make(ctx: ServiceContext) -> Service | None:
    """A region service when workers probe from regions."""
    return RegionService(ctx) if ctx.config().config.workers.probing else None
