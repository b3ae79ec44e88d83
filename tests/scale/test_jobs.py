"""Backups and restore drills as Celery tasks on a region's workers: a real Redis broker, a real
PostgreSQL store, real `golive worker --region a` processes, and a real PostgreSQL database
backed up to a directory. The serve side is the backup service itself, ticked by the test."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from devkit.process import terminate
from golive.cli import app
from golive.clock import SystemClock
from golive.config import LoadedConfig, load_config
from golive.engine import open_store
from golive.records import DRILL_EVIDENCE
from golive.scale.jobs import QUEUE_WAIT, JobTask, send_job
from golive.serve.backups import BackupService, make
from golive.store import Store
from golive.store.backups import backups
from golive.store.jobs import jobs_of
from golive.store.scale import list_workers
from tests.devkit.serve import wait_for
from tests.devkit.services import service_context
from tests.scale.conftest import GOLIVE, Target, _brokers

CONFIG = """\
version: 1
project: shop
store: "{store}"
workers: {{broker: "{broker}", regions: [b, a]}}
backups:
  - name: shopdb
    postgres: {{dsn: "{source}"}}
    every: 1h
    to: {{dir: dumps}}
    rpo: 2h
    rto: 10m
    region: a
    verify:
      every: 1d
      expect: ["SELECT count(*) = 3 FROM orders"]
"""


@dataclass
class Jobs:
    """The wiring of one test: its config, the store, the source database, and workers."""

    config: Path
    loaded: LoadedConfig
    store: Store
    source: str
    workers: list[subprocess.Popen[bytes]]

    def start_worker(self) -> subprocess.Popen[bytes]:
        """A `golive worker --region a` in its own process group (killing the group takes its
        pg_dump along, as a lost machine would)."""
        log = self.config.parent / f"worker-{len(self.workers)}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [*GOLIVE, "worker", "--region", "a", "-c", str(self.config), "--heartbeat", "1"],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                start_new_session=True,
            )
        self.workers.append(process)
        return process

    def service(self) -> BackupService:
        made = make(service_context(self.store, lambda: self.loaded, SystemClock()))
        assert isinstance(made, BackupService)
        return made

    def entries(self) -> list[str]:
        return [e.state for e in backups(self.store, self.loaded.environment, name="shopdb")]

    def jobs(self, kind: str) -> list[tuple[str, int]]:
        found = jobs_of(self.store, self.loaded.environment, kind, "shopdb")
        return [(j.state, j.attempt) for j in reversed(found)]


@pytest.fixture
def wired(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Jobs]:
    postgres = request.getfixturevalue("postgres_server")
    redis = request.getfixturevalue("redis_server")
    number = next(_brokers)
    store_url = postgres.create_database(f"jobs_store_{os.getpid()}_{number}")
    source = postgres.create_database(f"jobs_source_{os.getpid()}_{number}")
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE TABLE orders (id serial PRIMARY KEY, item text NOT NULL)")
        conn.execute("INSERT INTO orders (item) VALUES ('a'), ('b'), ('c')")
    broker = redis.url.rpartition("/")[0] + f"/{number % 16}"
    config = tmp_path / "golive.yaml"
    config.write_text(CONFIG.format(store=store_url, broker=broker, source=source))
    loaded = load_config(config, environ={})
    store = open_store(loaded)
    jobs = Jobs(config, loaded, store, source, [])
    try:
        yield jobs
    finally:
        for process in jobs.workers:
            if process.poll() is None:
                terminate(process)
        store.close()


async def until(
    condition: Callable[[], bool],
    what: str,
    *,
    tick: BackupService | None = None,
    within: float = 60,
) -> None:
    """Poll ``condition`` (ticking the service first, when given) until it holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        if tick is not None:
            await tick.tick(tick.ctx.clock.now())
        if condition():
            return
        if loop.time() > deadline:
            raise AssertionError(f"{what} not within {within:.0f}s")
        await asyncio.sleep(0.3)


def worker_beating(jobs: Jobs, process: subprocess.Popen[bytes]) -> Callable[[], bool]:
    return lambda: any(w.pid == process.pid for w in list_workers(jobs.store))


async def test_a_queued_backup_and_drill_run_on_the_regions_worker_and_the_catalog_shows_them(
    wired: Jobs,
) -> None:
    worker = wired.start_worker()
    await until(worker_beating(wired, worker), "the worker beating")
    service = wired.service()
    assert service.jobs is not None  # workers.probing: queued, not run in-process

    await service.tick(service.ctx.clock.now())
    [queued] = jobs_of(wired.store, wired.loaded.environment, "backup", "shopdb")
    assert queued.region == "a"  # the backup's own region, not the first of workers.regions
    await until(lambda: wired.entries() == ["good"], "a good backup", tick=service)
    await until(lambda: wired.jobs("drill") == [("done", 1)], "the drill done", tick=service)

    drill = wired.store.latest(DRILL_EVIDENCE, "shopdb")
    assert drill is not None and drill.ok, drill
    assert wired.jobs("backup") == [("done", 1)]
    for _ in range(3):  # nothing more is due: no second backup, no second drill
        await service.tick(service.ctx.clock.now())
    assert wired.entries() == ["good"]
    assert wired.jobs("drill") == [("done", 1)]
    [entry] = backups(wired.store, wired.loaded.environment)
    assert (wired.config.parent / "dumps" / entry.key).is_dir()


async def test_a_redelivered_task_does_not_run_the_backup_a_second_time(wired: Jobs) -> None:
    worker = wired.start_worker()
    await until(worker_beating(wired, worker), "the worker beating")
    service = wired.service()
    assert service.jobs is not None
    spec, now = wired.loaded.config.backups[0], service.ctx.clock.now()
    job = await service.jobs.request(wired.loaded, spec, "backup", now)
    assert job is not None
    # a second request while it is active is refused by the store, not by this process
    assert await service.jobs.request(wired.loaded, spec, "backup", now) is None
    task = JobTask(
        job.id, str(wired.config.resolve()), wired.loaded.environment, "backup", "shopdb"
    )
    for _ in range(2):  # the same task delivered twice more, as a redelivery would
        send_job(service.jobs.app, task, region="a", expires=QUEUE_WAIT)
    await until(lambda: wired.jobs("backup") == [("done", 1)], "the job done")
    log = wired.config.parent / "worker-0.log"
    await until(
        lambda: log.read_text().count("is not queued any more: not run") == 2,
        "both extra deliveries dropped",
    )
    assert wired.entries() == ["good"]


async def test_a_worker_killed_mid_backup_leaves_it_failed_and_a_new_worker_takes_the_retry(
    wired: Jobs,
) -> None:
    worker = wired.start_worker()
    await until(worker_beating(wired, worker), "the worker beating")
    service = wired.service()
    blocker = psycopg.connect(wired.source)
    try:
        blocker.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE")  # pg_dump waits on it
        await service.tick(service.ctx.clock.now())
        await until(
            lambda: wired.entries() == ["running"] and wired.jobs("backup") == [("running", 1)],
            "the backup running on the worker",
        )
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its pg_dump, mid-backup
        worker.wait()
        await until(
            lambda: wired.jobs("backup") == [("failed", 1), ("queued", 2)],
            "the lost job failed and queued again",
            tick=service,
        )
        assert wired.entries() == ["failed"]
        [lost] = backups(wired.store, wired.loaded.environment)
        assert lost.error is not None and "stopped beating" in lost.error
        assert not (wired.config.parent / "dumps" / lost.key).exists()
    finally:
        blocker.close()
    wired.start_worker()
    await until(lambda: wired.jobs("backup")[-1] == ("done", 2), "the retry done", tick=service)
    assert wired.entries() == ["good"]  # retention drops the failed entry once one is good
    assert wired.jobs("backup") == [("failed", 1), ("done", 2)]


LOADTEST = """\
loadtests:
  - name: peak
    base_url: {url}
    rate: 40/s
    duration: 2s
    requests: [{{name: home, class: page, path: /}}]
    sla: {{page: {{p95: 500ms}}}}
"""


def test_a_load_test_runs_on_the_regions_worker_and_the_cli_shows_its_report(
    wired: Jobs, target: Target
) -> None:
    with wired.config.open("a") as config:
        config.write(LOADTEST.format(url=target.url.rstrip("/")))
    worker = wired.start_worker()
    wait_for(worker_beating(wired, worker), what="the worker beating")

    result = CliRunner().invoke(
        app, ["loadtest", "peak", "--region", "a", "-c", str(wired.config), "--json"]
    )

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["verdict"] == "PASS", report["reasons"]
    assert report["requests"] >= 60  # 40/s for 2 s, from the worker, not this process
    assert target.runs_from("-") >= 60  # the load generator's requests reached the target
    [job] = jobs_of(wired.store, wired.loaded.environment, "loadtest", "peak")
    assert job.state == "done" and job.worker is not None and job.worker.startswith("a@")
    assert job.progress is not None and "sent" in job.progress
    evidence = wired.store.latest("loadtest", "peak")
    assert evidence is not None and evidence.taken_at >= (job.started_at or job.queued_at)


def test_a_load_test_on_a_region_that_is_not_configured_is_refused(wired: Jobs) -> None:
    with wired.config.open("a") as config:
        config.write(LOADTEST.format(url="http://127.0.0.1:1"))
    result = CliRunner().invoke(
        app, ["loadtest", "peak", "--region", "mars", "-c", str(wired.config)]
    )
    assert result.exit_code == 2, result.output
    assert "--region mars is not one of workers.regions" in result.output
    assert "Traceback" not in result.output
