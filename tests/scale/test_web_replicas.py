"""Web replicas (`golive serve --role web`) over one real PostgreSQL store and one real Redis:
budgets, logins and CSRF tokens hold across replicas, pings reach the evaluator, and a Redis
outage falls back to each replica's own budgets."""

from __future__ import annotations

import re
import textwrap
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
import pytest
from typer.testing import CliRunner

from devkit.ports import free_port
from devkit.postgres import PostgresServer
from devkit.redis_server import RedisServer
from golive import accounts
from golive.cli import app
from golive.clock import ManualClock
from golive.config import LoadedConfig, load_config
from golive.serve.heartbeats import Heartbeats
from golive.serve.runtime import ServeRuntime
from golive.serve.web_role import WebRuntime, budgets_url
from golive.store import Store, history, normalise_url
from golive.store.heartbeats import issue_secret
from golive.store.tokens import create_token
from golive.web import create_app
from golive.web.ratelimit import Rule
from golive.web.session import VERIFIED_TTL
from golive.web.shared_budgets import RETRY_AFTER, RedisBudgets
from tests.devkit.serve import Serve, wait_for

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
CONFIG = """\
version: 1
project: shop
server:
  listen: "127.0.0.1:{port}"
  rate_limits: {{per_ip: 6/m, shared: "{redis}"}}
store: "{store}"
checks:
  - name: web
    tcp: {{host: 127.0.0.1, port: 1}}
    every: 1h
  - name: backup
    heartbeat: {{period: 1h, grace: 5m}}
"""
_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Replica:
    runtime: WebRuntime
    http: httpx.AsyncClient
    budgets: RedisBudgets


class Cluster:
    """One store and one Redis; ``replica()`` adds a web replica with its own store
    connection pool and its own Redis client, as a separate process would have."""

    def __init__(self, config: Path, stack: AsyncExitStack, clock: ManualClock) -> None:
        self.config, self.stack, self.clock = config, stack, clock
        self.loaded = load_config(config, environ={})
        self.url = normalise_url(str(self.loaded.config.store), config.parent)

    def store(self) -> Store:
        store = Store.open(self.url)
        self.stack.callback(store.close)
        return store

    async def replica(self, address: str = "10.1.0.1", *, redis: str | None = None) -> Replica:
        runtime = WebRuntime(self.loaded, store=self.store(), clock=self.clock, environ={})
        url = redis or budgets_url(self.loaded)
        assert url is not None
        budgets = RedisBudgets(url, clock=self.clock)
        self.stack.push_async_callback(budgets.close)
        app = create_app(runtime, budgets=budgets)
        transport = httpx.ASGITransport(app=app, client=(address, 1234))
        http = httpx.AsyncClient(transport=transport, base_url="http://golive")
        await self.stack.enter_async_context(http)
        return Replica(runtime, http, budgets)


def write_config(path: Path, store: str, redis: str, port: int = 8080) -> Path:
    path.write_text(CONFIG.format(port=port, redis=redis, store=store))
    return path


@pytest.fixture
def database(postgres_server: PostgresServer, request: pytest.FixtureRequest) -> str:
    return postgres_server.create_database(f"replicas_{abs(hash(request.node.name)) % 10**8}")


@pytest.fixture
async def cluster(
    tmp_path: Path, database: str, redis_server: RedisServer
) -> AsyncIterator[Cluster]:
    config = write_config(tmp_path / "golive.yaml", database, redis_server.url)
    async with AsyncExitStack() as stack:
        yield Cluster(config, stack, ManualClock(T0))


async def log_in(replica: Replica, name: str) -> str:
    """Log ``name`` in on ``replica``; the session cookie's value."""
    form = await replica.http.get("/login")
    match = _FIELD.search(form.text)
    assert match
    data = {"name": name, "password": PASSWORD, "csrf_token": match.group(1)}
    answer = await replica.http.post("/login", data=data)
    assert answer.status_code == 303, answer.text
    return replica.http.cookies["golive_session"]


async def session_token(replica: Replica) -> str:
    """The CSRF token of the replica's session, as the dashboard renders it."""
    page = await replica.http.get("/")
    assert page.status_code == 200, page.text
    match = _FIELD.search(page.text)
    assert match, "no CSRF token on the dashboard"
    return match.group(1)


async def logged_in_on_a_and_seen_by_b(
    cluster: Cluster, a_address: str, b_address: str
) -> tuple[Replica, Replica, str]:
    """Operator ``otto`` logs in on a replica A; B is shown the session cookie once and
    accepts it (so B has verified it and keeps it): A, B and the cookie's value."""
    accounts.add_user(cluster.store(), name="otto", role="operator", password=PASSWORD, now=T0)
    a, b = await cluster.replica(a_address), await cluster.replica(b_address)
    cookie = await log_in(a, "otto")
    b.http.cookies.set("golive_session", cookie)
    assert (await b.http.get("/api/checks")).status_code == 200  # B verified it, and keeps it
    return a, b, cookie


# Tests.


async def test_three_replicas_share_one_budget(cluster: Cluster) -> None:
    replicas = [await cluster.replica("10.1.0.7") for _ in range(3)]
    answers = [(await replicas[i % 3].http.get("/api/checks")).status_code for i in range(12)]
    assert answers.count(401) == 6  # per_ip 6/m: six in all, not six a replica
    assert answers[6:] == [429] * 6
    refused = await replicas[0].http.get("/api/checks")
    assert refused.headers["RateLimit-Limit"] == "6"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert 0 < int(refused.headers["Retry-After"]) <= 60


async def test_a_budget_counts_only_allowed_requests_and_peeking_counts_none(
    redis_server: RedisServer,
) -> None:
    budgets = RedisBudgets(redis_server.url, clock=ManualClock(T0))
    rule = Rule(2, 30.0)
    try:
        assert (await budgets.peek("ip:10.9.9.9", rule)).remaining == 2
        first, second, third = [await budgets.hit("ip:10.9.9.9", rule) for _ in range(3)]
        assert (first.allowed, first.remaining) == (True, 1)
        assert (second.allowed, second.remaining) == (True, 0)
        assert (third.allowed, third.remaining) == (False, 0)
        assert 0 < third.reset_s <= 30
        assert (await budgets.hit("ip:10.9.9.10", rule)).allowed  # another key, its own window
        assert await budgets.redis.exists("golive:rl:2/30:ip:10.9.9.9")
    finally:
        await budgets.close()


async def test_a_login_on_one_replica_works_on_another_and_a_logout_ends_it_on_all(
    cluster: Cluster,
) -> None:
    a, b, cookie = await logged_in_on_a_and_seen_by_b(cluster, "10.1.0.2", "10.1.0.3")
    token = await session_token(a)
    answer = await b.http.post("/logout", data={"csrf_token": token})  # A's token, on B
    assert answer.status_code == 303
    b.http.cookies.set("golive_session", cookie)  # a stolen copy of the cookie, say
    assert (await b.http.get("/api/checks")).status_code == 401
    c = await cluster.replica("10.1.0.4")
    c.http.cookies.set("golive_session", cookie)
    assert (await c.http.get("/api/checks")).status_code == 401  # never verified it: at once
    cluster.clock.advance(VERIFIED_TTL)
    assert (await a.http.get("/api/checks")).status_code == 401  # A: once its check is stale


async def test_a_logout_elsewhere_is_refused_once_the_verified_session_ttl_ends(
    cluster: Cluster,
) -> None:
    a, b, _cookie = await logged_in_on_a_and_seen_by_b(cluster, "10.1.0.5", "10.1.0.6")
    answer = await a.http.post("/logout", data={"csrf_token": await session_token(a)})
    assert answer.status_code == 303
    cluster.clock.advance(VERIFIED_TTL - 0.1)  # the documented bound: B trusts its check
    assert (await b.http.get("/api/checks")).status_code == 200  # for VERIFIED_TTL at most
    cluster.clock.advance(0.1)
    assert (await b.http.get("/api/checks")).status_code == 401


async def test_a_csrf_token_from_one_replica_is_accepted_by_another(cluster: Cluster) -> None:
    accounts.add_user(cluster.store(), name="ana", role="admin", password=PASSWORD, now=T0)
    a, b = await cluster.replica("10.1.0.8"), await cluster.replica("10.1.0.9")
    b.http.cookies.set("golive_session", await log_in(a, "ana"))
    token = await session_token(a)
    silence = {"matchers": {"check": "web"}, "duration": "1h", "reason": "moving racks"}
    refused = await b.http.post("/api/silences", json=silence)
    assert refused.status_code == 403  # no token: the session alone is not enough
    accepted = await b.http.post("/api/silences", json=silence, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 201, accepted.text


async def test_a_ping_sent_to_a_web_replica_is_judged_by_the_evaluator(cluster: Cluster) -> None:
    evaluator = ServeRuntime(cluster.loaded, store=cluster.store(), clock=cluster.clock, environ={})
    [heartbeats] = [s for s in evaluator.services if isinstance(s, Heartbeats)]
    await heartbeats.tick(cluster.clock.now())  # gives the check its secret
    secret = issue_secret(evaluator.store, "backup", T0)
    replica = await cluster.replica("10.1.0.10")
    await replica.runtime.run_once()

    answer = await replica.http.post(f"/ping/backup/{secret}/0", content=b"dumped 3 tables")
    assert (answer.status_code, answer.text) == (200, "OK")
    assert evaluator.pings.drain() == []  # not in the evaluator's memory: in the store
    await heartbeats.tick(cluster.clock.now())
    await evaluator.cycle()

    assert evaluator.statuses()["backup"].state == "up"
    [run] = history.evidence(evaluator.store, subject="backup", limit=5).items
    assert run.ok and run.values["log"] == "dumped 3 tables"
    cluster.clock.advance(1.0)
    assert replica.runtime.statuses()["backup"].state == "up"  # the replica reads it back
    wrong = await replica.http.post("/ping/backup/not-the-secret")
    assert wrong.status_code == 404

    token = create_token(evaluator.store, "ci", "operator", T0)
    result = {"ok": False, "error": "disk full"}
    headers = {"Authorization": f"Bearer {token}"}
    posted = await replica.http.post("/api/checks/backup/results", json=result, headers=headers)
    assert posted.status_code == 202, posted.text
    await heartbeats.tick(cluster.clock.now())
    await evaluator.cycle()
    assert evaluator.statuses()["backup"].last_error == "disk full"


async def test_the_replica_reads_states_the_evaluator_stored_and_follows_them(
    cluster: Cluster,
) -> None:
    evaluator = ServeRuntime(cluster.loaded, store=cluster.store(), clock=cluster.clock, environ={})
    replica = await cluster.replica("10.1.0.11")
    assert replica.runtime.statuses() == {}
    version = replica.runtime.checks_version
    [heartbeats] = [s for s in evaluator.services if isinstance(s, Heartbeats)]
    await heartbeats.tick(cluster.clock.now())
    secret = issue_secret(evaluator.store, "backup", T0)
    await replica.runtime.run_once()
    await replica.http.post(f"/ping/backup/{secret}/fail")
    await heartbeats.tick(cluster.clock.now())
    await evaluator.cycle()
    assert replica.runtime.statuses() == {}  # read less than a second ago
    cluster.clock.advance(1.0)
    assert replica.runtime.statuses()["backup"].state == "down"
    assert replica.runtime.checks_version != version
    health = await replica.http.get("/healthz")
    assert health.status_code == 200, health.text


async def test_a_replica_whose_store_is_unreachable_fails_healthz_and_refuses_pings(
    cluster: Cluster, postgres_server: PostgresServer
) -> None:
    secret = issue_secret(cluster.store(), "backup", T0)
    replica = await cluster.replica("10.1.0.13")
    await replica.runtime.run_once()
    assert (await replica.http.get("/healthz")).status_code == 200
    database = cluster.url.rpartition("/")[2]
    with psycopg.connect(postgres_server.dsn(), autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (database,),
        )
        try:
            cluster.clock.advance(1.0)
            await replica.runtime.run_once()
            health = await replica.http.get("/healthz")
            assert (health.status_code, health.json()["status"]) == (503, "failing")
            ping = await replica.http.post(f"/ping/backup/{secret}")
            assert (ping.status_code, ping.headers["retry-after"]) == (503, "5")
        finally:
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    cluster.clock.advance(1.0)
    await replica.runtime.run_once()
    assert (await replica.http.get("/healthz")).status_code == 200
    assert (await replica.http.post(f"/ping/backup/{secret}")).status_code == 200


async def test_when_redis_stops_each_replica_falls_back_to_its_own_budget(
    cluster: Cluster, tmp_path: Path
) -> None:
    redis = RedisServer.start(tmp_path / "redis")
    port = redis.port
    try:
        a = await cluster.replica("10.1.0.12", redis=redis.url)
        b = await cluster.replica("10.1.0.12", redis=redis.url)
        assert (await a.http.get("/api/checks")).status_code == 401  # shared: 1 of 6
        redis.stop()

        on_a = [(await a.http.get("/api/checks")).status_code for _ in range(8)]
        on_b = [(await b.http.get("/api/checks")).status_code for _ in range(8)]
        assert on_a == on_b == [401] * 6 + [429] * 2  # open, but each replica keeps a limit
        assert a.budgets.degraded and a.budgets.errors == 1  # one error, then memory a while

        redis = RedisServer.start(tmp_path / "redis", port=port)
        cluster.clock.advance(RETRY_AFTER)
        assert not a.budgets.degraded
        assert (await a.http.get("/api/checks")).status_code == 401  # Redis counts again
        assert a.budgets.errors == 1
    finally:
        redis.stop()


def test_two_replica_processes_share_a_budget_serve_healthz_and_store_pings(
    tmp_path: Path, database: str, redis_server: RedisServer, serve: Serve
) -> None:
    ports = [free_port(), free_port()]
    configs = []
    for name, port in zip("ab", ports, strict=True):
        (tmp_path / name).mkdir()
        configs.append(
            write_config(tmp_path / name / "golive.yaml", database, redis_server.url, port)
        )
    store = Store.open(normalise_url(database, tmp_path))
    try:
        secret = issue_secret(store, "backup", T0)
        for config, port in zip(configs, ports, strict=True):
            serve(config, port, "--role", "web")
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            health = httpx.get(f"{base}/healthz")
            assert health.status_code == 200, health.text
        answers = [httpx.get(f"{bases[i % 2]}/api/checks").status_code for i in range(10)]
        assert answers == [401] * 6 + [429] * 4  # per_ip 6/m across both processes
        wait_for(lambda: httpx.post(f"{bases[1]}/ping/backup/{secret}").status_code == 200)
        assert store_pings(store) == [("backup", "end", True)]
        log = (tmp_path / "a" / "serve.log").read_text()
        assert "golive serve --role web" in log and "rate limits shared in Redis" in log
    finally:
        store.close()


def store_pings(store: Store) -> list[tuple[str, str, bool]]:
    from golive.store.heartbeats import take_pings

    return [(p.check, p.kind, p.ok) for p in take_pings(store)]


def test_the_replica_config_names_its_shared_budgets(tmp_path: Path) -> None:
    path = write_config(tmp_path / "golive.yaml", "sqlite:///x.db", "redis://127.0.0.1:1/2")
    assert budgets_url(load_config(path, environ={})) == "redis://127.0.0.1:1/2"
    path.write_text(
        textwrap.dedent("""\
            version: 1
            project: shop
            workers: {broker: "redis://127.0.0.1:2/1"}
            checks: []
        """)
    )
    loaded: LoadedConfig = load_config(path, environ={})
    assert budgets_url(loaded) == "redis://127.0.0.1:2/1"
    path.write_text("version: 1\nproject: shop\nworkers: {broker: 'amqp://x'}\nchecks: []\n")
    assert budgets_url(load_config(path, environ={})) is None


def test_serve_refuses_an_unknown_role_and_a_split_role_on_sqlite(tmp_path: Path) -> None:
    config = tmp_path / "golive.yaml"
    config.write_text(f'version: 1\nproject: shop\nserver: {{listen: "127.0.0.1:{free_port()}"}}\n')
    runner = CliRunner()
    unknown = runner.invoke(app, ["serve", "-c", str(config), "--role", "bogus"])
    assert unknown.exit_code == 2
    assert "expected one of all, web, scheduler, evaluator" in unknown.output
    split = runner.invoke(app, ["serve", "-c", str(config), "--role", "evaluator"])
    assert split.exit_code == 2
    assert "--role evaluator needs a shared PostgreSQL store" in split.output
