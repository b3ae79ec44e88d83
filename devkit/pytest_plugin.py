"""pytest fixtures backed by real servers.

Enable with ``pytest_plugins = ["devkit.pytest_plugin"]`` in the root ``conftest.py``.
Session fixtures start each server once per test session (per xdist worker).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from devkit.certs import CA, Cert, make_ca, make_cert
from devkit.prometheus import PrometheusServer
from devkit.servers import DnsServer, NginxServer, PostgresServer, RedisServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from xdist.remote import Producer
    from xdist.scheduler.protocol import Scheduling
    from xdist.workermanage import WorkerController

# Tests under these paths run on one xdist worker (--dist loadgroup), like an xdist_group mark:
# xdist 3.8 marks a group by rewriting item._nodeid, which pytest 9.2 no longer reads
# (pytest-xdist#1386), so the controller decides from the node id itself.
XDIST_GROUPS = {
    "tests/browser/": "browser",
    "tests/backup/test_pgbackrest.py": "pgbackrest-drills",  # each drill checks /tmp is clean
    # real replicas and workers killed and restarted: one worker runs them (and starts one
    # PostgreSQL and one Redis for them), so they do not crowd the other tests' CPU at once
    "tests/scale/test_failover": "failover",
}
# About how many seconds each test under a path takes on a quiet 2-core machine with 4
# workers (from ``--durations``; the longest prefix wins, any other test counts DEFAULT_SECONDS).
# The controller hands out the longest work first (longest-processing-time-first), so the run
# does not end on one long test started late. Rough is enough: only the order depends on it.
EXPECTED_SECONDS = {
    "tests/web/test_contract.py": 20.0,
    "tests/scale/test_failover": 30.0,
    "tests/scale/test_workers_e2e.py": 22.0,
    "tests/scale/test_jobs.py": 6.0,
    "tests/scale/test_handover.py": 5.0,
    "tests/scale/test_web_replicas.py": 2.0,
    "tests/serve/test_heartbeat_jobs.py": 18.0,
    "tests/serve/test_notifications_e2e.py": 18.0,
    "tests/serve/test_serve_process.py": 18.0,
    "tests/serve/test_escalation_e2e.py": 16.0,
    "tests/gate/test_parkwise_gate.py": 18.0,
    "tests/rollout/test_strategies.py": 12.0,
    "tests/rollout/": 6.0,
    "tests/slo/test_prometheus": 9.0,
    "tests/metrics/test_prometheus_oracle.py": 5.0,
    "tests/web/test_three_doors.py": 9.0,
    "tests/devkit/test_xdist_groups.py": 7.0,
    "tests/browser/": 4.0,
    "tests/backup/test_pgbackrest.py": 10.0,
    "tests/test_layers.py": 2.0,
    "tests/test_imports.py": 3.0,
}
DEFAULT_SECONDS = 0.5


def expected_seconds(nodeid: str) -> float:
    """The ``EXPECTED_SECONDS`` of the longest prefix of ``nodeid``, else ``DEFAULT_SECONDS``."""
    prefixes = [prefix for prefix in EXPECTED_SECONDS if nodeid.startswith(prefix)]
    return EXPECTED_SECONDS[max(prefixes, key=len)] if prefixes else DEFAULT_SECONDS


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> Scheduling | None:
    """``--dist loadgroup`` that also groups the tests under ``XDIST_GROUPS`` and hands out
    the work units longest first (``EXPECTED_SECONDS``)."""
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class PathGroupScheduling(LoadGroupScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in XDIST_GROUPS.items():
                if nodeid.startswith(prefix):
                    return group
            scope: str = super()._split_scope(nodeid)
            return scope

        def _assign_work_unit(self, node: WorkerController) -> None:
            if not self.ordered:  # the queue is complete at the first assignment
                self.ordered = True
                units = sorted(  # stable: equal units keep pytest-randomly's order
                    self.workqueue.items(),
                    key=lambda unit: -sum(map(expected_seconds, unit[1])),
                )
                self.workqueue = OrderedDict(units)
            super()._assign_work_unit(node)

    return PathGroupScheduling(config, log)


DNS_RECORDS: dict[str, list[str]] = {
    "app.golive.test": ["127.0.0.1", "::1"],
    "multi.golive.test": ["127.0.0.2", "127.0.0.3"],
}


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    with PostgresServer.start(tmp_path_factory.mktemp("postgres")) as server:
        yield server


@pytest.fixture(scope="session")
def prometheus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    """Debian's Prometheus scraping every second; ``scrape(targets)`` says what."""
    with PrometheusServer.start(tmp_path_factory.mktemp("prometheus")) as server:
        yield server


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer.start(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="session")
def dns_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DnsServer]:
    with DnsServer.start(tmp_path_factory.mktemp("dns"), DNS_RECORDS) as server:
        yield server


class NginxFactory:
    """``nginx_factory(http_conf, ports)`` starts an nginx; all stop at test teardown."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self.servers: list[NginxServer] = []

    def __call__(self, http_conf: str, ports: Sequence[int]) -> NginxServer:
        server = NginxServer.start(self._tmp.mktemp("nginx"), http_conf, ports=ports)
        self.servers.append(server)
        return server

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()


@pytest.fixture
def nginx_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NginxFactory]:
    factory = NginxFactory(tmp_path_factory)
    try:
        yield factory
    finally:
        factory.stop_all()


class CertFactory:
    """``cert_factory(name, ...)`` makes certificates; ``cert_factory.ca()`` makes a CA."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def __call__(
        self,
        name: str = "server",
        *,
        hostnames: Sequence[str] = ("localhost", "127.0.0.1"),
        days: int = 90,
        expired: bool = False,
        ca: CA | None = None,
    ) -> Cert:
        return make_cert(
            self.directory, name, hostnames=tuple(hostnames), days=days, expired=expired, ca=ca
        )

    def ca(self, name: str = "ca") -> CA:
        return make_ca(self.directory, name)


@pytest.fixture
def cert_factory(tmp_path_factory: pytest.TempPathFactory) -> CertFactory:
    return CertFactory(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium (Debian's, via Playwright) per test session."""
    from devkit.browser import launch_browser

    with launch_browser() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context: no cookies or storage from other tests."""
    from devkit.browser import new_context

    context = new_context(browser)
    try:
        yield context.new_page()
    finally:
        context.close()
