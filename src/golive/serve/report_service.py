"""The reports service: every 30 s, writes a due daily or weekly report to the outbox (see
``golive.incidents.report_schedule``) and wakes the notifier to deliver it."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING

from golive.config import LoadedConfig
from golive.incidents.report_schedule import send_due

if TYPE_CHECKING:  # services.py lists this module's factory
    from golive.serve.services import Service, ServiceContext


class ReportService:
    name = "reports"
    interval = 30.0

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx

    async def tick(self, now: datetime) -> None:
        written = await asyncio.to_thread(send_due, self.ctx.store, self.ctx.config(), now)
        if written:
            self.ctx.wake()

    def reload(self, loaded: LoadedConfig) -> None:
        """Nothing to keep: each tick reads the current config."""


def make(ctx: ServiceContext) -> Service | None:
    reports = ctx.config().config.reports
    return ReportService(ctx) if reports.daily or reports.weekly else None
