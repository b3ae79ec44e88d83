"""Long jobs on workers: a backup, a restore drill or a load test sent as a Celery task to a
region's queue, and what a worker does with it.

The store's ``jobs`` row is the truth, not the broker: the service queues a row, then the
task; a worker runs the task only when it moves that row from ``queued`` to ``running``
(``claim``), so a redelivered task (``acks_late``, or Redis's visibility timeout passing while
a long backup still runs) finds it taken and does nothing. The worker runs the same
``golive.backup`` functions as `golive serve` would in-process, so the catalog and the drill
evidence are written the same way. Celery's thread pool does not enforce task time limits, so
the job's limit (``time_limit``) is enforced on the worker's loop (``asyncio.wait_for``) and,
for a worker that dies or hangs, by the row's deadline, which the service checks.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from celery import Celery

from golive.backup.drill import run_drill
from golive.backup.run import run_backup
from golive.config import LoadedConfig
from golive.config.ship import Backup
from golive.exceptions import GoliveError
from golive.scale.tasks import queue
from golive.store.jobs import claim, finish, set_progress

if TYPE_CHECKING:
    from golive.scale.worker import ProbeWorker

log = logging.getLogger("golive.worker")

JOB_TASK = "golive.job"
KINDS = ("backup", "drill", "loadtest")
LOADTEST_SLACK = timedelta(minutes=1)  # past a load test's duration_limit: setup and report
DEFAULT_LIMIT = timedelta(hours=6)  # a backup without every / rpo, a drill without rto
MIN_LIMIT = timedelta(minutes=1)
GRACE = timedelta(seconds=30)  # past the limit before the service gives a running job up
QUEUE_WAIT = timedelta(minutes=10)  # a queued job no worker of its region took is given up
MAX_ATTEMPTS = 2  # a job lost with its worker is queued once more at once


def time_limit(spec: Backup, kind: str) -> timedelta:
    """How long a job may run: a backup, the smaller of ``every`` and ``rpo`` (one that takes
    longer has broken the promise it is for, and the next is due); a drill, three times
    ``rto`` (it still reports how far past the rto it went); 6 h without them."""
    if kind == "backup":
        bounds = [b for b in (spec.every, spec.rpo) if b is not None]
        limit = min(bounds) if bounds else DEFAULT_LIMIT
    else:
        limit = spec.rto * 3 if spec.rto is not None else DEFAULT_LIMIT
    return max(limit, MIN_LIMIT)


def region_of(loaded: LoadedConfig, spec: Backup) -> str:
    """The region whose workers run ``spec``'s jobs: its ``region``, else the first one."""
    return spec.region or loaded.config.workers.regions[0]


@dataclass(frozen=True)
class JobTask:
    """The job task's arguments: the store row it runs, whose config names the job, and a load
    test's ``options`` (``rate`` per second, ``duration`` in seconds, ``workers``)."""

    job: int
    config: str
    environment: str
    kind: str
    name: str
    options: dict[str, Any] = field(default_factory=dict)

    def as_kwargs(self) -> dict[str, Any]:
        return dict(vars(self))


def send_job(app: Celery, task: JobTask, *, region: str, expires: timedelta) -> None:
    """Queue ``task`` on ``region``'s queue; a worker that takes it after ``expires`` drops it
    (the service has given the job up by then)."""
    app.send_task(
        JOB_TASK,
        kwargs=task.as_kwargs(),
        queue=queue(region),
        expires=max(expires.total_seconds(), 1.0),
    )


async def run(
    loaded: LoadedConfig, task: JobTask, worker: ProbeWorker, environ: Mapping[str, str]
) -> tuple[bool, str | None]:
    """Run the job with the same functions as in-process; whether it went well, and why not."""
    if task.kind == "backup":
        try:
            await run_backup(
                loaded, task.name, store=worker.store, clock=worker.clock, environ=environ
            )
        except GoliveError as exc:  # the catalog already says failed, with why
            return False, str(exc)
        return True, None
    report = await run_drill(
        loaded, task.name, store=worker.store, clock=worker.clock, environ=environ
    )
    return report.ok, None if report.ok else report.reason


class JobRunner:
    """A worker's side of long jobs: claim the row, run the job on the worker's loop within its
    limit, finish the row."""

    def __init__(self, worker: ProbeWorker, environ: Mapping[str, str]) -> None:
        self.worker = worker
        self.environ = environ

    def handle(self, task: JobTask) -> bool:
        """Run ``task`` if this delivery claims its row; return whether it ran."""
        worker = self.worker
        loaded = worker.config(task.config, task.environment)
        limit = _limit(loaded, task)
        now = worker.clock.now()
        deadline = now + (limit or MIN_LIMIT)
        if not claim(worker.store, task.job, worker=worker.name, now=now, deadline=deadline):
            log.warning(
                "job %d (%s %s) is not queued any more: not run", task.job, task.kind, task.name
            )
            return False
        ok, error = False, None
        try:
            if limit is None:
                raise GoliveError(f"no {task.kind} {task.name} in {task.config} any more")
            if task.kind == "loadtest":
                ok, error = self._loadtest(loaded, task, limit)
            else:
                ok, error = worker.call(
                    asyncio.wait_for(run(loaded, task, worker, self.environ), limit.total_seconds())
                )
        except TimeoutError:
            error = f"took longer than its limit ({limit})"
        except Exception as exc:  # the row must say failed whatever broke
            error = loaded.secrets.redact(f"{type(exc).__name__}: {exc}")
            log.exception("job %d (%s %s) failed", task.job, task.kind, task.name)
        finally:
            finish(worker.store, task.job, ok=ok, now=worker.clock.now(), error=error)
        return True

    def _loadtest(
        self, loaded: LoadedConfig, task: JobTask, limit: timedelta
    ) -> tuple[bool, str | None]:
        """Run a load test in this task's thread (it brings its own loop or processes), its
        progress line into the job row once a second; done once its report is stored."""
        from golive.loadtest.run import run_loadtest
        from golive.loadtest.workers import Live

        store, options = self.worker.store, task.options
        stop = threading.Event()
        timer = threading.Timer(limit.total_seconds(), stop.set)  # ends it with what it has
        written = [0.0]

        def live(now: Live) -> None:
            if time.monotonic() - written[0] >= 1.0:
                written[0] = time.monotonic()
                line = (
                    f"{now.elapsed_s:.0f}s  sent {now.sent}  {now.rate:.0f}/s"
                    f"  errors {now.errors}  p95 so far {now.p95_ms:.1f} ms"
                )
                set_progress(store, task.job, line)

        duration = options.get("duration")
        timer.start()
        try:
            run_loadtest(
                loaded,
                task.name,
                store=store,
                clock=self.worker.clock,
                rate=options.get("rate"),
                duration=None if duration is None else timedelta(seconds=float(duration)),
                workers=int(options.get("workers", 1)),
                stop=stop,
                on_live=live,
            )
        finally:
            timer.cancel()
        return True, None  # the SLA's verdict is in the evidence, not the job's state


def _limit(loaded: LoadedConfig, task: JobTask) -> timedelta | None:
    """How long ``task`` may run, or None when its config no longer names it."""
    if task.kind == "loadtest":
        test = next((t for t in loaded.config.loadtests if t.name == task.name), None)
        return None if test is None else test.duration_limit + LOADTEST_SLACK
    spec = next((b for b in loaded.config.backups if b.name == task.name), None)
    return None if spec is None or task.kind not in KINDS else time_limit(spec, task.kind)
