"""A fresh store per test, on SQLite and on the session's real PostgreSQL; and the scaled
wiring for real: PostgreSQL as the store, Redis as the broker, `golive worker` processes per
region, a target that fails for chosen regions, a webhook receiver."""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from devkit.process import terminate
from devkit.receivers import WebhookReceiver
from golive.store import Store, normalise_url

if TYPE_CHECKING:
    from devkit.servers import PostgresServer

_databases = itertools.count()


def fresh_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A new, empty store URL on ``backend`` (sqlite or postgresql)."""
    if backend == "sqlite":
        return normalise_url("sqlite:///state/golive.db", tmp_path)
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"leases_{abs(hash(request.node.nodeid)) % 10**8}_{next(_databases)}"
    return normalise_url(server.create_database(name), tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = fresh_url(request, request.param, tmp_path)
    Store.open(url).close()  # migrated once, so child processes only open it
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store.open(store_url)
    yield opened
    opened.close()


GOLIVE = [sys.executable, "-m", "golive"]
_brokers = itertools.count(1)

CONFIG = """\
version: 1
project: shop
store: "{store}"
server: {{listen: "127.0.0.1:{port}"}}
workers: {{broker: "{broker}", regions: [a, b]}}
checks:
  - name: site
    http: {{url: "{target}"}}
    every: 1s
    timeout: 1s
    fail_after: 2
    severity: critical
notify:
  channels: [{{name: hook, url: "{hook}"}}]
  routes: [{{to: [hook]}}]
  group_wait: 0s
"""


@dataclass
class Target:
    """An HTTP target that answers 503 to the regions in ``failing`` (``*``: every one) and
    200 to the others; ``seen`` holds (monotonic time, region, status) per request."""

    failing: set[str] = field(default_factory=set)
    slow: dict[str, float] = field(default_factory=dict)
    seen: list[tuple[float, str, int]] = field(default_factory=list)
    port: int = 0

    def start(self) -> None:
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                agent = self.headers.get("User-Agent", "")
                found = re.search(r"\(region (\S+)\)", agent)
                region = found.group(1) if found else "-"
                time.sleep(target.slow.get(region, 0.0))
                status = 503 if {"*", region} & target.failing else 200
                target.seen.append((time.monotonic(), region, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def runs_from(self, region: str, since: float = 0.0, status: int | None = None) -> int:
        return sum(
            1
            for at, seen, code in list(self.seen)
            if seen == region and at >= since and status in (None, code)
        )


class Fleet:
    """`golive worker` processes, each logging to ``worker-REGION-N.log`` beside the config."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, region: str, *extra: str) -> subprocess.Popen[bytes]:
        log = self.config.parent / f"worker-{region}-{len(self.processes)}.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [*GOLIVE, "worker", "--region", region, "-c", str(self.config), *extra],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        self.processes.append((region, process))
        return process

    def of(self, region: str) -> list[subprocess.Popen[bytes]]:
        return [p for r, p in self.processes if r == region and p.poll() is None]

    def kill(self, region: str) -> None:
        for process in self.of(region):
            process.send_signal(signal.SIGKILL)
            process.wait()

    def stop(self, region: str | None = None) -> list[int]:
        for r, process in self.processes:
            if region in (None, r):
                terminate(process)
        return [p.returncode for r, p in self.processes if region in (None, r)]


@dataclass
class Scaled:
    config: Path
    port: int
    target: Target
    hook: WebhookReceiver
    fleet: Fleet


@pytest.fixture
def target() -> Iterator[Target]:
    started = Target()
    started.start()
    yield started
    started.stop()


@pytest.fixture
def scaled(
    request: pytest.FixtureRequest, tmp_path: Path, target: Target, webhook: WebhookReceiver
) -> Iterator[Scaled]:
    from devkit.ports import free_port

    postgres = request.getfixturevalue("postgres_server")
    redis = request.getfixturevalue("redis_server")
    number = next(_brokers)
    store = postgres.create_database(f"scale_{os.getpid()}_{number}")
    broker = redis.url.rpartition("/")[0] + f"/{number % 16}"
    port = free_port()
    config = tmp_path / "golive.yaml"
    config.write_text(
        CONFIG.format(
            store=store, port=port, broker=broker, target=target.url, hook=webhook.url("/golive")
        )
    )
    fleet = Fleet(config)
    try:
        yield Scaled(config, port, target, webhook, fleet)
    finally:
        fleet.stop()
