"""The SLO service: every ``SIGNAL_SECONDS`` it measures the burn rates of each SLO that a
``burn_rate: multiwindow`` rule watches and hands them to the alert cycle as signals (one per
page or ticket alert, see ``golive.slo.burn``). It keeps no state of its own: the burn rates
are read from the stored rollups and request minutes, so a restart continues at once."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

from golive.config import LoadedConfig
from golive.records import Signal
from golive.slo.burn import burn_alerts
from golive.slo.signals import measure
from golive.slo.sli import Reader

if TYPE_CHECKING:  # services.py lists this module's factory
    from golive.serve.services import Service, ServiceContext

SIGNAL_SECONDS = 30.0  # the shortest window of a 30-day SLO is 5 minutes


class SloService:
    name = "slos"
    interval = SIGNAL_SECONDS

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def tick(self, now: datetime) -> None:
        config = self.ctx.config().config
        reader = Reader.of(self.ctx.store)
        found = await asyncio.to_thread(measure, config.slos, config.alerts, reader, now)
        if found:
            self.ctx.signal(
                [Signal(m.alert, m.taken_at, m.values, m.error, m.target) for m in found]
            )
            self.ctx.wake()

    def reload(self, loaded: LoadedConfig) -> None:
        """Nothing to do: each tick reads the current config."""


def make(ctx: ServiceContext) -> Service | None:
    """An SLO service when a rule alerts on an SLO's burn rate."""
    config = ctx.config().config
    return SloService(ctx) if burn_alerts(config.slos, config.alerts) else None
