"""The incidents service of `golive serve`: each second, open incidents from new alerts, fire
the escalation steps that are due, flag missed response targets and tell timelines what became
of their notifications (``golive.incidents.watch``). Its state is in the store."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from golive.config import LoadedConfig
from golive.config.root import ConfigBase
from golive.config.stages import SECTIONS
from golive.incidents.escalation import Resolver
from golive.incidents.schedule import on_call
from golive.incidents.watch import watch

if TYPE_CHECKING:  # services.py lists this module's ``make``
    from golive.serve.services import Service, ServiceContext

log = logging.getLogger("golive.incidents")


def wanted(config: ConfigBase) -> bool:
    """Whether the config asks for incidents: an ``incidents:`` or ``oncall:`` section, or a
    route with an escalation policy."""
    sections = {s.key: s for s in SECTIONS}
    asked = any(sections[key].count(config) for key in ("incidents", "oncall"))
    return asked or any(route.escalation for route in config.notify.routes)


def resolver(config: ConfigBase) -> Resolver:
    """Whoever each schedule has on call at that moment (overrides and DST applied)."""
    schedules = {schedule.name: schedule for schedule in config.oncall.schedules}
    return lambda name, at: on_call(schedules[name], at)


class IncidentsService:
    name = "incidents"
    interval = 1.0

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.loaded = ctx.config()

    async def tick(self, now: datetime) -> None:
        config = self.loaded.config
        stats = await asyncio.to_thread(
            watch, self.ctx.store, config, now, resolver=resolver(config)
        )
        for incident_id in stats.opened:
            log.warning("incident #%s opened", incident_id)
        if stats.escalation.notifications or stats.breaches:
            self.ctx.wake()  # the pages go out now, not within the second

    def reload(self, loaded: LoadedConfig) -> None:
        self.loaded = loaded


def make(ctx: ServiceContext) -> Service | None:
    return IncidentsService(ctx) if wanted(ctx.config().config) else None
