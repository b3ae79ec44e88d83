"""The backup service of `golive serve`: takes each backup when its ``every`` / ``cron`` comes
round and runs its restore drill on ``verify.every``, and each tick tells the alert cycle which
of its promises (``rpo``, ``rto``, a passing drill) each backup breaks now (its alert,
``backup:NAME``, goes through the same states, routes and outbox as a check's). When each last
ran is read from the
catalog and the drill evidence, so a restarted golive continues the schedule instead of starting
it again; a failed attempt waits for the next slot like a good one. With workers
(``workers.probing``) each due backup and drill is queued to a region's workers instead
(``golive.scale.job_queue``): the same functions run there and write the same catalog and
evidence."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from golive.alerts.rules import backup_alert_name
from golive.backup.drill import run_drill
from golive.backup.health import problems, signal_values
from golive.backup.run import run_backup
from golive.config import LoadedConfig
from golive.config.ship import Backup
from golive.records import DRILL_EVIDENCE, EvidenceRecord, Signal
from golive.store.backups import backups
from golive.store.jobs import jobs_of

if TYPE_CHECKING:
    from golive.scale.job_queue import JobQueue
    from golive.serve.services import Service, ServiceContext

log = logging.getLogger("golive.backup")

Taken = Literal["backup", "drill"]  # what the service takes of a backup: itself or its drill


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
        self.since = ctx.clock.now()
        self.jobs: JobQueue | None = None
        self.reload(ctx.config())

    def reload(self, loaded: LoadedConfig) -> None:
        self.loaded = loaded
        workers = loaded.config.workers
        if workers.probing and workers.broker is not None:
            if self.jobs is None or self.jobs.broker != workers.broker:
                from golive.scale.job_queue import JobQueue  # Celery only with workers

                self.jobs = JobQueue(
                    self.ctx.store, self.ctx.clock, workers.broker, self.ctx.environ
                )
            self.interval = 5.0  # jobs finish on workers: notice them and lost ones soon
        else:
            self.jobs, self.interval = None, 30.0

    async def tick(self, now: datetime) -> None:
        loaded, store, jobs = self.loaded, self.ctx.store, self.jobs
        if jobs is not None:
            await jobs.tend(loaded, now)
        signals = []
        for spec in loaded.config.backups:
            if self.ctx.stopping():
                return
            entries = backups(store, loaded.environment, name=spec.name)
            last = max((e.started_at for e in entries), default=None)
            if due(spec, last, now, self.since) and await self._take(
                loaded, jobs, spec, "backup", now
            ):
                entries = backups(store, loaded.environment, name=spec.name)
            drill = store.latest(DRILL_EVIDENCE, spec.name)
            has_good = any(e.state == "good" for e in entries)
            due_drill = spec.verify and has_good and self._drill_due(spec, drill, now)
            if due_drill and await self._take(loaded, jobs, spec, "drill", now):
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

    async def _take(
        self, loaded: LoadedConfig, jobs: JobQueue | None, spec: Backup, kind: Taken, now: datetime
    ) -> bool:
        """Take ``spec``'s backup or drill: queued to ``jobs``' workers when there are some
        (False: it runs there later), else run here now (True: its catalog or evidence changed)."""
        if jobs is not None:
            await jobs.request(loaded, spec, kind, now)
            return False
        store, clock, environ = self.ctx.store, self.ctx.clock, self.ctx.environ
        if kind == "backup":
            await run_backup(loaded, spec.name, store=store, clock=clock, environ=environ)
        else:
            await run_drill(loaded, spec.name, store=store, clock=clock, environ=environ)
        return True

    def _drill_due(self, spec: Backup, drill: EvidenceRecord | None, now: datetime) -> bool:
        """A drill is due ``verify.every`` after the last one; on workers, a drill job that
        failed without evidence (lost with its worker) counts as the last one too, so a drill
        that kills its workers is not sent again on every tick."""
        assert spec.verify is not None
        last = drill.taken_at if drill is not None else None
        if self.jobs is not None:
            tried = jobs_of(self.ctx.store, self.loaded.environment, "drill", spec.name, limit=1)
            if tried and tried[0].state == "failed" and (last is None or tried[0].queued_at > last):
                last = tried[0].queued_at
        return last is None or now >= last + spec.verify.every


def make(ctx: ServiceContext) -> Service | None:
    """A backup service when some backup has a schedule, drills, or an rpo / rto to alert on."""
    wanted = [
        b for b in ctx.config().config.backups if b.every or b.cron or b.verify or b.rpo or b.rto
    ]
    return BackupService(ctx) if wanted else None
