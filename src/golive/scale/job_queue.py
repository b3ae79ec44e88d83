"""The sending side of long jobs on workers: `golive serve` queues a backup or a drill (a
``jobs`` row, then the task on its region's queue) and gives up the jobs that will not finish;
`golive loadtest --region` queues a load test (``submit``) and waits for it (``follow``).

A running job is lost when its worker stopped beating (killed, its machine gone) or its
deadline passed (hung past its limit); a queued one when no worker of its region took it
within ``QUEUE_WAIT``. A lost backup's catalog entry, left ``running`` by the dead worker, is
marked failed and its half-written files removed; a job lost with its worker is queued once
more at once (``MAX_ATTEMPTS``), after which it waits for its next slot like any failure.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from celery import Celery

from golive.backup.run import target_of
from golive.clock import Clock
from golive.config import LoadedConfig
from golive.config.ship import Backup
from golive.exceptions import GoliveError, UsageError
from golive.scale.jobs import GRACE, MAX_ATTEMPTS, QUEUE_WAIT, JobTask, region_of, send_job
from golive.scale.regions import ALIVE_WITHIN
from golive.scale.tasks import make_app
from golive.store import Store
from golive.store import backups as catalog
from golive.store.jobs import Job, active_jobs, enqueue, give_up
from golive.store.jobs import job as job_by_id
from golive.store.scale import list_workers

log = logging.getLogger("golive.backup")

WORKER_LOST = "its worker stopped beating"  # the start of a lost job's error


class JobQueue:
    """Queues long jobs for `golive serve` and tends the ones in flight."""

    def __init__(self, store: Store, clock: Clock, broker: str, environ: Mapping[str, str]) -> None:
        self.store = store
        self.clock = clock
        self.broker = broker
        self.environ = environ
        self._app: Celery | None = None

    @property
    def app(self) -> Celery:
        if self._app is None:
            self._app = make_app(self.broker)
        return self._app

    async def request(
        self, loaded: LoadedConfig, spec: Backup, kind: str, now: datetime, *, attempt: int = 1
    ) -> Job | None:
        """Queue ``kind`` of ``spec`` unless one is queued or running; the job, or None."""
        region = region_of(loaded, spec)
        job = enqueue(
            self.store,
            kind=kind,
            name=spec.name,
            environment=loaded.environment,
            region=region,
            now=now,
            deadline=now + QUEUE_WAIT,
            attempt=attempt,
        )
        if job is None:
            return None
        task = JobTask(job.id, str(loaded.path.resolve()), loaded.environment, kind, spec.name)
        try:
            await asyncio.to_thread(send_job, self.app, task, region=region, expires=QUEUE_WAIT)
        except Exception as exc:  # kombu's and the transport's errors alike
            error = loaded.secrets.redact(f"the broker did not take it: {exc}")
            give_up(self.store, job, now=self.clock.now(), error=error)
            log.error("%s %s: %s", kind, spec.name, error)
            return None
        log.info("%s %s queued for region %s (job %d)", kind, spec.name, region, job.id)
        return job

    async def tend(self, loaded: LoadedConfig, now: datetime) -> list[Job]:
        """Give up the active jobs that will not finish; queue again those lost with their
        worker (up to ``MAX_ATTEMPTS``); return the jobs given up."""
        beats = {b.name: b.seen_at for b in list_workers(self.store)}
        specs = {b.name: b for b in loaded.config.backups}
        lost: list[Job] = []
        for job in active_jobs(self.store, loaded.environment):
            why = why_lost(job, beats, now)
            if why is None or not give_up(self.store, job, now=now, error=why):
                continue
            log.error("%s %s (job %d): %s", job.kind, job.name, job.id, why)
            lost.append(job)
            spec = specs.get(job.name)
            if spec is None:
                continue
            if job.kind == "backup":
                await self._fail_orphans(loaded, spec, job, why)
            if why.startswith(WORKER_LOST) and job.attempt < MAX_ATTEMPTS:
                await self.request(loaded, spec, job.kind, now, attempt=job.attempt + 1)
        return lost

    async def _fail_orphans(self, loaded: LoadedConfig, spec: Backup, job: Job, why: str) -> None:
        """Fail the catalog entry the lost job left ``running``, and remove its partial files."""
        since = job.queued_at - timedelta(minutes=1)  # the worker's clock may lag a little
        for entry in catalog.backups(self.store, loaded.environment, name=spec.name):
            if entry.state != "running" or entry.started_at < since:
                continue
            seconds = (self.clock.now() - entry.started_at).total_seconds()
            catalog.fail_backup(
                self.store, entry.id, finished_at=self.clock.now(), seconds=seconds, error=why
            )
            if entry.key:
                try:
                    target = target_of(loaded, spec, self.environ)
                    await asyncio.to_thread(target.abort, None, entry.key)
                except Exception as exc:  # cleaning up is best effort: say so, go on
                    log.warning(
                        "backup %s: partial files of #%d left: %s", spec.name, entry.id, exc
                    )


def why_lost(job: Job, beats: dict[str, datetime], now: datetime) -> str | None:
    """Why an active job will not finish, or None while it may."""
    if job.state == "queued":
        if now < job.deadline:
            return None
        return f"no worker of region {job.region} took it within {QUEUE_WAIT}"
    seen = beats.get(job.worker or "")
    if seen is None or now - seen > ALIVE_WITHIN:
        return f"{WORKER_LOST} ({job.worker}): killed or its machine gone"
    if now >= job.deadline + GRACE:
        limit = job.deadline - (job.started_at or job.queued_at)
        return f"still running past its limit ({limit}) on {job.worker}"
    return None


def submit(
    store: Store,
    loaded: LoadedConfig,
    *,
    kind: str,
    name: str,
    region: str,
    now: datetime,
    options: dict[str, Any] | None = None,
) -> Job:
    """Queue one job from the command line (`golive loadtest --region`) and its task; raise
    ``UsageError`` when one of the same name is in flight."""
    job = enqueue(
        store,
        kind=kind,
        name=name,
        environment=loaded.environment,
        region=region,
        now=now,
        deadline=now + QUEUE_WAIT,
    )
    if job is None:
        raise UsageError(f"{kind} {name} is already queued or running on a worker: wait for it")
    assert loaded.config.workers.broker is not None
    app = make_app(loaded.config.workers.broker)
    task = JobTask(
        job.id, str(loaded.path.resolve()), loaded.environment, kind, name, options or {}
    )
    try:
        send_job(app, task, region=region, expires=QUEUE_WAIT)
    except Exception as exc:  # kombu's and the transport's errors alike
        error = loaded.secrets.redact(f"the broker did not take it: {exc}")
        give_up(store, job, now=now, error=error)
        raise GoliveError(f"{kind} {name}: {error}") from None
    return job


def follow(
    store: Store,
    job_id: int,
    *,
    clock: Clock,
    seen: Callable[[Job], None],
    poll: float = 0.5,
) -> Job:
    """Wait for a job to end, calling ``seen`` on each change of its state or progress; give
    it up (and return it failed) when it is lost, as the service would."""
    shown: tuple[str, str | None] | None = None
    while True:
        found = job_by_id(store, job_id)
        assert found is not None
        if (found.state, found.progress) != shown:
            shown = (found.state, found.progress)
            seen(found)
        if found.state not in ("queued", "running"):
            return found
        beats = {b.name: b.seen_at for b in list_workers(store)}
        why = why_lost(found, beats, clock.now())
        if why is not None and give_up(store, found, now=clock.now(), error=why):
            continue
        time.sleep(poll)
