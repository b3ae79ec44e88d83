"""The whole scaled wiring for real: PostgreSQL, Redis, `golive worker` processes in regions a
and b, two `golive serve --role all` replicas (one leads the scheduler and evaluator leases),
a target that fails for chosen regions and a webhook receiver counting pages by dedup key.

Kill the leader, a worker, a region, Redis for a while: the check is judged again each time,
and each event reaches the receiver once."""

from __future__ import annotations

import itertools
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from devkit.receivers import WebhookReceiver
from devkit.redis_server import RedisServer
from devkit.replicas import HANDOVER_BOUND, Replicas, dedup_keys, wait_for
from golive.store.alerts import list_alerts
from golive.store.scale import list_workers
from golive.store.state import load_statuses
from tests.scale.conftest import Fleet, Target

if TYPE_CHECKING:
    from devkit.servers import PostgresServer

_databases = itertools.count()

CONFIG = """\
version: 1
project: shop
store: "{{store}}"
server: {{{{listen: "127.0.0.1:{{port}}"}}}}
workers: {{{{broker: "{broker}", regions: [a, b]}}}}
checks:
  - name: site
    http: {{{{url: "{target}"}}}}
    every: 1s
    timeout: 1s
    fail_after: 2
    regions: [a, b]
    quorum: 2
    severity: critical
notify:
  channels: [{{{{name: hook, url: "{{hook}}"}}}}]
  routes: [{{{{to: [hook]}}}}]
  group_wait: 0s
"""


class Wiring:
    """The replicas and the workers of one test, over its own database and broker."""

    def __init__(self, replicas: Replicas, fleet: Fleet, target: Target) -> None:
        self.replicas = replicas
        self.fleet = fleet
        self.target = target

    def up(self) -> None:
        """Workers in both regions and two replicas, until the check is UP."""
        for region in ("a", "b"):
            self.fleet.start(region, "--heartbeat", "1")
        self.replicas.start("x", "y")
        wait_for(lambda: self.state() == "up", 60, "site UP")

    def state(self) -> str | None:
        return self.replicas.state("site")

    def failing(self) -> bool:
        """Up, with a failed verdict stored: the next one pages (``fail_after: 2``)."""
        status = self.replicas.status("site")
        return status is not None and status.state == "up" and status.consecutive_failures >= 1

    def last_run(self) -> object:
        status = load_statuses(self.replicas.store).get("site")
        return status.last_run_at if status else None

    def judged_again(self, what: str) -> None:
        """Wait for a verdict newer than the one stored now: no check is stuck."""
        before = self.last_run()
        wait_for(lambda: self.last_run() != before, 30, what)


@pytest.fixture
def wiring(
    tmp_path: Path,
    postgres_server: PostgresServer,
    redis_server: RedisServer,
    target: Target,
    webhook: WebhookReceiver,
) -> Iterator[Wiring]:
    number = next(_databases)
    name = f"failover_workers_{os.getpid()}_{number}"
    url = postgres_server.create_database(name).replace("postgresql://", "postgresql+psycopg://")
    broker = redis_server.url.rpartition("/")[0] + f"/{8 + number % 8}"
    with _wiring(tmp_path, url, broker, target, webhook) as wired:
        yield wired


@contextmanager
def _wiring(
    root: Path, url: str, broker: str, target: Target, webhook: WebhookReceiver
) -> Iterator[Wiring]:
    config = CONFIG.format(broker=broker, target=target.url)
    replicas = Replicas(root / "replicas", url, webhook, config=config)
    fleet = Fleet(root / "replicas" / "worker.yaml")
    fleet.config.write_text(config.format(store=url, port=1, down="", hook=webhook.url("/golive")))
    try:
        yield Wiring(replicas, fleet, target)
    finally:
        replicas.stop_all()
        fleet.stop()


def test_quorum_holds_one_region_back_and_a_killed_leader_pages_once(
    wiring: Wiring, webhook: WebhookReceiver
) -> None:
    wiring.up()
    wiring.target.failing = {"b"}  # one region of two: no page
    since = time.monotonic()
    wait_for(lambda: wiring.target.runs_from("b", since, 503) >= 3, 30, "3 failures in b")
    wiring.judged_again("a verdict while b fails")
    assert wiring.state() == "up" and webhook.requests == []
    wiring.target.failing = {"*"}
    wait_for(wiring.failing, 30, "site's first failure in both regions")
    leader = wiring.replicas.leader("evaluator")
    scheduler = wiring.replicas.leader("scheduler")
    leader.process.send_signal(signal.SIGKILL)  # while it fails, before its alert fires
    if scheduler is not leader:
        scheduler.process.send_signal(signal.SIGKILL)  # then both go to the third one
    new, took = wiring.replicas.handover(leader, "evaluator")
    assert took <= HANDOVER_BOUND
    wiring.replicas.handover(scheduler, "scheduler")
    wait_for(lambda: len(webhook.requests) >= 1, 30, "the page")
    wiring.target.failing = set()
    wait_for(lambda: wiring.state() == "up", 30, "site UP again")
    wait_for(lambda: len(webhook.requests) >= 2, 30, "the resolution")
    wait_for(wiring.replicas.settled, 30, "an empty outbox")
    keys = dedup_keys(webhook)
    assert len(keys) == 2 and len(set(keys)) == 2, keys
    assert new.process.poll() is None


def test_a_killed_worker_and_a_stopped_region_leave_no_check_stuck(
    wiring: Wiring, webhook: WebhookReceiver
) -> None:
    wiring.up()
    wiring.target.slow = {"a": 0.5}  # a's runs are in flight most of the time
    wiring.fleet.kill("a")  # SIGKILL, mid-run
    wiring.fleet.start("a", "--heartbeat", "1")
    wiring.judged_again("a verdict after the worker's kill")
    wiring.target.slow = {}
    wiring.fleet.stop("b")  # the whole region
    wait_for(
        lambda: any(
            a.name == "region:b" for a in list_alerts(wiring.replicas.store, state="firing")
        ),
        60,
        "region:b firing",
    )
    wiring.judged_again("a verdict from region a alone")
    assert wiring.state() == "up"
    wiring.fleet.start("b", "--heartbeat", "1")
    wait_for(
        lambda: (
            not any(
                a.name == "region:b" for a in list_alerts(wiring.replicas.store, state="firing")
            )
        ),
        60,
        "region:b resolved",
    )
    wait_for(lambda: len(webhook.requests) >= 2, 30, "region:b's page and resolution")
    wait_for(wiring.replicas.settled, 30, "an empty outbox")
    keys = dedup_keys(webhook)
    assert len(keys) == 2 and len(set(keys)) == 2, keys  # region:b fired, then resolved
    assert {w.region for w in list_workers(wiring.replicas.store)} == {"a", "b"}


def test_redis_stopped_for_a_while_then_dispatch_resumes(
    tmp_path: Path,
    postgres_server: PostgresServer,
    target: Target,
    webhook: WebhookReceiver,
) -> None:
    redis = RedisServer.start(tmp_path / "redis")  # its own: the session's is shared
    port = redis.port
    try:
        url = postgres_server.create_database(f"failover_redis_{os.getpid()}")
        url = url.replace("postgresql://", "postgresql+psycopg://")
        with _wiring(tmp_path, url, redis.url, target, webhook) as wired:
            wired.up()
            redis.stop()
            time.sleep(1.5)  # the runs in flight end; then Redis stays away for a while:
            runs = len(target.seen)
            time.sleep(2)
            assert len(target.seen) <= runs + 2  # nothing dispatched (one late run per region)
            redis = RedisServer.start(tmp_path / "redis", port=port)
            wait_for(lambda: len(target.seen) > runs + 4, 60, "probes running again")
            wired.judged_again("a verdict after Redis came back")
            assert wired.state() == "up"
            assert webhook.requests == []  # nothing failed: nothing to say
    finally:
        redis.stop()
