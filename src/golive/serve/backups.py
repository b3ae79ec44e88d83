"""The backup service of `golive serve`: takes each backup when its ``every`` / ``cron`` comes
round and runs its restore drill on ``verify.every``, and each tick tells the alert cycle which
of its promises (``rpo``, ``rto``, a passing drill) each backup breaks now (its alert,
``backup:NAME``, goes through the same states, routes and outbox as a check's). When each last
ran is read from the
catalog and the drill evidence, so a restarted golive continues the schedule instead of starting
it again; a failed attempt waits for the next slot like a good one."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from golive.alerts.rules import backup_alert_name
from golive.backup.drill import run_drill
from golive.backup.health import problems, signal_values
from golive.backup.run import run_backup
from golive.config import LoadedConfig
from golive.config.ship import Backup
from golive.records import DRILL_EVIDENCE, Signal
from golive.store.backups import backups

if TYPE_CHECKING:
    from golive.serve.services import Service, ServiceContext

log = logging.getLogger("golive.backup")


def due(spec: Backup, last: datetime | None, now: datetime, since: datetime) -> bool:
    """Whether a backup last started at ``last`` is due at ``now``: ``every`` after the last one
    (at once when there is none); a ``cron`` time passed since the last one (or since golive
    started, ``since``, when there is none)."""
    if spec.every is not None:
        return last is None or now >= last + spec.every
    if spec.cron is None:
        return False
    from cronsim import CronSim

    return now >= next(CronSim(spec.cron, last or since))


class BackupService:
    name = "backups"
    interval = 30.0

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.loaded = ctx.config()
        self.since = ctx.clock.now()

    def reload(self, loaded: LoadedConfig) -> None:
        self.loaded = loaded

    async def tick(self, now: datetime) -> None:
        loaded, store = self.loaded, self.ctx.store
        signals = []
        for spec in loaded.config.backups:
            if self.ctx.stopping():
                return
            entries = backups(store, loaded.environment, name=spec.name)
            last = max((e.started_at for e in entries), default=None)
            if due(spec, last, now, self.since):
                await run_backup(
                    loaded, spec.name, store=store, clock=self.ctx.clock, environ=self.ctx.environ
                )
                entries = backups(store, loaded.environment, name=spec.name)
            drill = store.latest(DRILL_EVIDENCE, spec.name)
            has_good = any(e.state == "good" for e in entries)
            if (
                spec.verify
                and has_good
                and (drill is None or now >= drill.taken_at + spec.verify.every)
            ):
                await run_drill(
                    loaded, spec.name, store=store, clock=self.ctx.clock, environ=self.ctx.environ
                )
                drill = store.latest(DRILL_EVIDENCE, spec.name)
            at = self.ctx.clock.now()
            found = problems(spec, entries, drill, at)
            for problem in found:
                log.warning("backup %s: %s", spec.name, problem)
            target = f"backup {spec.name}: {'; '.join(found) or 'rpo and rto kept'}"
            values = signal_values(spec, entries, drill, at)
            signals.append(Signal(backup_alert_name(spec.name), at, values, target=target))
        if signals:
            self.ctx.signal(signals)
            self.ctx.wake()


def make(ctx: ServiceContext) -> Service | None:
    """A backup service when some backup has a schedule, drills, or an rpo / rto to alert on."""
    wanted = [
        b for b in ctx.config().config.backups if b.every or b.cron or b.verify or b.rpo or b.rto
    ]
    return BackupService(ctx) if wanted else None
