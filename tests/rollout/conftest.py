"""Rollout fixtures: real ParkWise processes behind a real nginx whose upstream file golive
owns, a constant load through it, and a golive config naming both."""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from devkit.nginx import NginxServer
from devkit.ports import free_port
from devkit.pytest_plugin import NginxFactory
from devkit.rollout_stack import edge_http, start_haproxy, start_parkwise
from golive.config import LoadedConfig, load_config
from golive.gate.registry import argument_models
from golive.records.rollouts import RolloutEvent, RolloutView
from golive.rollout.drivers.nginx import render
from golive.rollout.run import tick
from golive.store.rollouts import rollout_by_id, rollout_events

CANARY = """rollouts:
  - name: api
    strategy: canary
    traffic: NGINX_TRAFFIC
    stable: [{stable}]
    steps: [10, 50, 100]
    pause: {pause}
    interval: 500ms
    analysis: {{requests: edge, max_error_rate: 1%, max_p95: 300ms, min_requests: 30}}
"""


class Parkwise:
    """``parkwise(version, **env)`` starts one ParkWise process and returns its HOST:PORT;
    ``parkwise.stop(addr)`` stops it; all stop at teardown."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def __call__(self, version: str, **env: str) -> str:
        proc, addr = start_parkwise(self.folder, version, **env)
        self.procs[addr] = proc
        return addr

    def stop(self, addr: str) -> None:
        proc = self.procs.pop(addr)
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def parkwise(tmp_path: Path) -> Iterator[Parkwise]:
    started = Parkwise(tmp_path)
    yield started
    for addr in list(started.procs):
        started.stop(addr)


@dataclass
class Edge:
    """An nginx in front of the ``parkwise`` upstream that golive's file defines."""

    server: NginxServer
    port: int
    upstream_file: Path
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def nginx(self, flag: str) -> str:
        base = self.server.base_dir
        return f"/usr/sbin/nginx -p {base}/ -c {base}/nginx.conf -e {base}/nginx.log {flag}"

    def live(self) -> list[str]:
        """The servers of the upstream file that get traffic (not ``backup``)."""
        lines = self.upstream_file.read_text().splitlines()
        return [
            ln.split()[1] for ln in lines if ln.strip().startswith("server ") and "weight=" in ln
        ]

    def config(self, folder: Path, body: str) -> LoadedConfig:
        """A golive config with the edge's access log as metrics source ``edge``."""
        path = folder / "golive.yaml"
        path.write_text(
            "version: 1\nproject: shop\nstore: sqlite:///golive.db\n"
            f"metrics:\n  - name: edge\n    access_log: {{path: {self.log}, format: nginx-json}}\n"
            + body.replace("NGINX_TRAFFIC", self.traffic())
        )
        return load_config(path, environ={}, gate_args=argument_models())

    def traffic(self) -> str:
        return (
            f"{{nginx: {{upstream: parkwise, file: {self.upstream_file},"
            f" test: '{self.nginx('-t')}', reload: '{self.nginx('-s reload')}'}}}}"
        )

    def failures_not_from(self, addrs: set[str]) -> list[dict[str, object]]:
        """Logged requests that failed for another reason than a backend in ``addrs``."""
        bad = []
        for line in self.log.read_text().splitlines():
            entry = json.loads(line)
            last = str(entry["upstream_addr"]).split(",")[-1].strip()
            if int(entry["status"]) >= 500 and last not in addrs:
                bad.append(entry)
        return bad


@pytest.fixture
def edge(nginx_factory: NginxFactory, tmp_path: Path) -> Callable[[list[str]], Edge]:
    """``edge(stable)`` starts nginx with golive's upstream file holding ``stable``."""

    def start(stable: list[str]) -> Edge:
        port = free_port()
        upstream = tmp_path / "edge" / "parkwise-upstream.conf"
        upstream.parent.mkdir(exist_ok=True)
        upstream.write_text(render("parkwise", dict.fromkeys(stable, 1), "api"))
        log = tmp_path / "edge" / "access.json.log"
        http = edge_http(port, upstream, log)
        return Edge(nginx_factory(http, ports=[port]), port, upstream, log)

    return start


@dataclass
class Load:
    """What a constant load saw: statuses, and errors that never got an HTTP answer."""

    statuses: Counter[int] = field(default_factory=Counter)
    broken: list[str] = field(default_factory=list)


@contextlib.asynccontextmanager
async def constant_load(url: str, users: int = 4) -> AsyncIterator[Load]:
    """``users`` loops of GET /api/facilities through the edge until the block ends."""
    seen = Load()
    stop = asyncio.Event()

    async def user(session: aiohttp.ClientSession) -> None:
        while not stop.is_set():
            try:
                async with session.get(f"{url}/api/facilities") as response:
                    await response.read()
                    seen.statuses[response.status] += 1
            except aiohttp.ClientError as exc:
                seen.broken.append(repr(exc))
            await asyncio.sleep(0.002)

    async with aiohttp.ClientSession() as session:
        tasks = [asyncio.create_task(user(session)) for _ in range(users)]
        try:
            await asyncio.sleep(0.3)
            yield seen
        finally:
            stop.set()
            await asyncio.gather(*tasks)


def start_api(store: object, loaded: LoadedConfig, targets: list[str], version: str) -> RolloutView:
    """Start rollout ``api`` to ``targets`` now, with no commit: what every test starts."""
    from golive.clock import SystemClock
    from golive.rollout.run import start
    from golive.store import Store

    assert isinstance(store, Store)
    return start(
        store,
        loaded,
        "api",
        targets=targets,
        version=version,
        commit=None,
        now=SystemClock().now(),
    )


async def run_rollout(
    loaded: LoadedConfig, targets: list[str], version: str, *, within: float
) -> tuple[RolloutView, list[RolloutEvent]]:
    """Start rollout ``api`` to ``targets`` and drive it to its end (no load of its own): how
    it ended and its events."""
    from golive.engine.once import open_store

    store = open_store(loaded)
    try:
        view = start_api(store, loaded, targets, version)
        done = await drive(loaded, store, view.id, within=within)
        return done, rollout_events(store, view.id)
    finally:
        store.close()


async def roll_out(
    url: str, loaded: LoadedConfig, targets: list[str], version: str, *, within: float
) -> tuple[RolloutView, list[RolloutEvent], Load]:
    """``run_rollout`` under a constant load through ``url``: how it ended, its events, and
    what the load saw."""
    async with constant_load(url) as load:
        done, events = await run_rollout(loaded, targets, version, within=within)
    return done, events, load


async def drive(
    loaded: LoadedConfig,
    store: object,
    rollout_id: int,
    *,
    within: float,
    resumed: set[int] | None = None,
) -> RolloutView:
    """Tick like `golive serve` does until the rollout ends (or ``within`` seconds pass)."""
    from golive.clock import SystemClock
    from golive.store import Store

    assert isinstance(store, Store)
    clock, judged = SystemClock(), {}  # type: ignore[var-annotated]
    resumed = {rollout_id} if resumed is None else resumed  # empty: a process new to it
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        await tick(store, loaded, clock.now(), resumed, judged)
        view = rollout_by_id(store, rollout_id)
        assert view is not None
        if not view.active:
            return view
        await asyncio.sleep(0.2)
    raise AssertionError(f"rollout still {view.state} after {within}s")


@dataclass
class Haproxy:
    """A haproxy in front of backend ``parkwise`` (every server declared, new ones at weight
    0), its runtime API on ``socket``, its JSON request log in ``log``."""

    proc: subprocess.Popen[bytes]
    port: int
    socket: Path
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self, folder: Path, body: str) -> LoadedConfig:
        path = folder / "golive.yaml"
        traffic = f"{{haproxy: {{socket: {self.socket}, backend: parkwise}}}}"
        path.write_text(
            "version: 1\nproject: shop\nstore: sqlite:///golive.db\n"
            f"metrics:\n  - name: edge\n    access_log: {{path: {self.log}, format: nginx-json}}\n"
            + body.replace("NGINX_TRAFFIC", traffic)
        )
        return load_config(path, environ={}, gate_args=argument_models())

    def failures_not_from(self, addrs: set[str]) -> list[dict[str, object]]:
        bad = []
        for line in self.log.read_text().splitlines():
            if not line.startswith("{"):
                continue  # haproxy's own notices ("Server parkwise/s0 enters drain state")
            entry = json.loads(line)
            if int(entry["status"]) >= 500 and entry["upstream_addr"] not in addrs:
                bad.append(entry)
        return bad


@pytest.fixture
def haproxy(tmp_path: Path) -> Iterator[Callable[[list[str], list[str]], Haproxy]]:
    """``haproxy(stable, new)`` starts haproxy 2.6 (Debian) with all of them declared."""
    started: list[subprocess.Popen[bytes]] = []

    def start(stable: list[str], new: list[str]) -> Haproxy:
        proc, port, socket, log = start_haproxy(tmp_path / "haproxy", stable, new)
        started.append(proc)
        return Haproxy(proc, port, socket, log)

    yield start
    for proc in started:
        proc.terminate()
        proc.wait(10)
