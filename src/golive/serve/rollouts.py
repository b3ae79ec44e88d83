"""The rollout loop of `golive serve`: advances every active rollout each second (a restarted
serve re-applies each step's traffic, or returns it to stable when it cannot)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from golive.config import LoadedConfig
from golive.rollout.keep import retire_old
from golive.rollout.run import tick

if TYPE_CHECKING:
    from golive.serve.services import ServiceContext


def make(ctx: ServiceContext) -> Rollouts | None:
    return Rollouts(ctx) if ctx.config().config.rollouts else None


class Rollouts:
    name = "rollouts"
    interval = 1.0

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.resumed: set[int] = set()
        self.judged: dict[int, datetime] = {}

    def reload(self, loaded: LoadedConfig) -> None:
        pass  # each tick reads the current config

    async def tick(self, now: datetime) -> None:
        loaded = self.ctx.config()
        await tick(self.ctx.store, loaded, now, self.resumed, self.judged)
        await retire_old(self.ctx.store, loaded, now)
