"""Heartbeat checks in `golive serve`: real ping URLs on the real app, judged by the heartbeat
service on a clock the tests move, through the same cycle as probe results (state, evidence)."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from golive.clock import ManualClock
from golive.config import load_config
from golive.serve.heartbeats import Heartbeats
from golive.serve.runtime import ServeRuntime
from golive.serve.services import SERVICES
from golive.store import Store, history, normalise_url
from golive.store.heartbeats import issue_secret, load_heartbeats, rotate_secret
from golive.store.tokens import create_token
from golive.web import create_app
from golive.web.pings import PER_CHECK, REFUSED_PER_IP

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
CONFIG = """\
version: 1
project: shop
vars:
  db_password: ${env:DB_PASSWORD:-hunter2-secret}
checks:
  - name: web
    tcp: {host: 127.0.0.1, port: 1}
    every: 1h
  - name: backup
    heartbeat: {period: 1h, grace: 5m}
    expect: ["duration_s < 600"]
    description: uses ${db_password}
  - name: report
    heartbeat: {cron: "0 2 * * *", timezone: America/New_York, grace: 30m}
"""


@dataclass
class Golive:
    runtime: ServeRuntime
    clock: ManualClock
    http: httpx.AsyncClient
    service: Heartbeats
    secrets: dict[str, str]

    async def advance(self, by: timedelta = timedelta(0)) -> None:
        """Move the clock, run one heartbeat tick and one cycle (what serve does each second)."""
        self.clock.advance(by)
        await self.service.tick(self.clock.now())
        await self.runtime.cycle()

    def url(self, check: str) -> str:
        """``check``'s ping URL, its secret issued (and shown) once, before the first tick."""
        return f"/ping/{check}/{self.secrets[check]}"

    def state(self, check: str) -> str:
        return self.runtime.statuses()[check].state


def heartbeat_service(runtime: ServeRuntime) -> Heartbeats:
    found = [s for s in runtime.services if isinstance(s, Heartbeats)]
    assert len(found) == 1
    return found[0]


@pytest.fixture
async def golive(tmp_path: Path) -> AsyncIterator[Golive]:
    path = tmp_path / "golive.yaml"
    path.write_text(textwrap.dedent(CONFIG))
    loaded = load_config(path, environ={})
    store = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    clock = ManualClock(T0)
    runtime = ServeRuntime(loaded, store=store, clock=clock, environ={})
    service = heartbeat_service(runtime)
    transport = httpx.ASGITransport(app=create_app(runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://golive") as http:
        checks = [c.name for c in loaded.pushed_checks()]
        issued = {name: issue_secret(store, name, T0) for name in checks}
        yielded = Golive(runtime, clock, http, service, issued)
        await yielded.advance()  # the first tick reads every heartbeat check's secret's hash
        yield yielded
    store.close()


def test_the_heartbeat_service_is_one_line_among_the_services() -> None:
    assert [make.__module__ for make in SERVICES].count("golive.serve.heartbeats") == 1


async def test_a_run_pinged_in_is_up_and_stored_as_evidence_with_its_redacted_log(
    golive: Golive,
) -> None:
    url = golive.url("backup")
    assert (await golive.http.post(url + "/start")).status_code == 200
    await golive.advance(timedelta(seconds=42))
    answer = await golive.http.post(url + "/0", content=b"dumped 3 tables\npassword=hunter2-secret")
    assert (answer.status_code, answer.text) == (200, "OK")
    await golive.advance()
    assert golive.state("backup") == "up"
    stored = history.evidence(golive.runtime.store, subject="backup", limit=5).items
    assert len(stored) == 1 and stored[0].ok
    values = stored[0].values
    assert (values["duration_s"], values["exit_code"], values["runs"]) == (42.0, 0, 1)
    assert "hunter2-secret" not in values["log"] and values["log"].startswith("dumped 3 tables")
    assert golive.state("report") == "unknown"  # no ping yet, none due yet


async def test_a_late_ping_makes_the_check_down_once_and_the_next_ping_brings_it_back(
    golive: Golive,
) -> None:
    await golive.http.post(golive.url("backup"))
    await golive.advance()
    await golive.advance(timedelta(minutes=64))
    assert golive.state("backup") == "up"
    await golive.advance(timedelta(minutes=1))  # 1h period + 5m grace after the ping
    assert golive.state("backup") == "down"
    assert "no ping since 2026-12-07 12:00:00Z" in (
        golive.runtime.statuses()["backup"].last_error or ""
    )
    await golive.advance(timedelta(minutes=10))
    runs = history.evidence(golive.runtime.store, subject="backup", limit=10).items
    assert [r.ok for r in runs] == [False, True]  # one failed run for the missed ping, not more
    await golive.http.post(golive.url("backup"))
    await golive.advance()
    assert golive.state("backup") == "up"


async def test_a_failed_run_a_bad_exit_code_and_an_unfinished_run_are_down(golive: Golive) -> None:
    url = golive.url("backup")
    await golive.http.post(url + "/fail")
    await golive.advance()
    assert golive.state("backup") == "down"
    await golive.http.post(url)
    await golive.advance()
    assert golive.state("backup") == "up"
    await golive.http.post(url + "/3")
    await golive.advance()
    assert (
        golive.runtime.statuses()["backup"].last_error == "the job reported a failure (exit code 3)"
    )
    await golive.http.post(url)
    await golive.http.post(url + "/start")
    await golive.advance()
    assert golive.state("backup") == "up"
    await golive.advance(timedelta(minutes=5))
    assert golive.state("backup") == "down"
    assert "has not ended within the grace of 5m" in (
        golive.runtime.statuses()["backup"].last_error or ""
    )


async def test_a_cron_heartbeat_is_judged_in_its_time_zone(golive: Golive) -> None:
    # 02:00 in New York is 07:00 UTC: the first run is due then, late 30 minutes after
    golive.clock.set(datetime(2026, 12, 8, 7, 29, tzinfo=UTC))
    await golive.advance()
    assert golive.state("report") == "unknown"
    await golive.advance(timedelta(minutes=1))
    assert golive.state("report") == "down"


async def test_a_wrong_secret_and_an_unknown_check_get_the_same_404(golive: Golive) -> None:
    wrong = await golive.http.post("/ping/backup/not-the-secret")
    unknown = await golive.http.post(golive.url("backup").replace("/backup/", "/nothing/"))
    web = await golive.http.post(golive.url("backup").replace("/backup/", "/web/"))
    assert {(r.status_code, r.text) for r in (wrong, unknown, web)} == {(404, "not found")}
    await golive.advance()
    assert golive.state("backup") == "unknown"


async def test_a_ping_is_not_audited_so_its_secret_stays_out_of_the_log(
    golive: Golive, caplog: pytest.LogCaptureFixture
) -> None:
    url = golive.url("backup")
    with caplog.at_level("INFO"):
        assert (await golive.http.post(url)).status_code == 200
        assert (await golive.http.post("/ping/backup/wrong-secret/fail")).status_code == 404
        assert (await golive.http.put(url)).status_code == 405
        assert (await golive.http.post(url + "/256")).status_code == 404
    logged = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("golive"))
    assert url.rsplit("/", 1)[1] not in logged and "wrong-secret" not in logged


async def test_a_rotated_secret_opens_and_the_old_one_no_longer_does(golive: Golive) -> None:
    old = golive.url("backup")
    new_secret = rotate_secret(golive.runtime.store, "backup", T0)
    golive.clock.advance(1)
    assert (await golive.http.post(f"/ping/backup/{new_secret}")).status_code == 404  # not yet
    await golive.advance(timedelta(seconds=2))  # a URL that did not open: secrets read again
    assert (await golive.http.post(f"/ping/backup/{new_secret}")).status_code == 200
    assert (await golive.http.post(old)).status_code == 404


async def test_a_flood_of_pings_is_refused_per_check_and_the_others_go_on(golive: Golive) -> None:
    backup, report = golive.url("backup"), golive.url("report")
    codes = [(await golive.http.post(backup)).status_code for _ in range(PER_CHECK.limit + 20)]
    assert codes.count(200) == PER_CHECK.limit and codes[-1] == 429
    assert (await golive.http.post(report)).status_code == 200
    assert (await golive.http.get("/healthz")).status_code == 200


async def test_a_client_guessing_secrets_is_made_to_wait(golive: Golive) -> None:
    codes = [
        (await golive.http.post(f"/ping/backup/guess-{n}")).status_code
        for n in range(REFUSED_PER_IP.limit + 1)
    ]
    assert codes[:-1] == [404] * REFUSED_PER_IP.limit and codes[-1] == 429
    assert (await golive.http.post(golive.url("backup"))).status_code == 429  # until it ends
    golive.clock.advance(REFUSED_PER_IP.window_s)
    assert (await golive.http.post(golive.url("backup"))).status_code == 200


async def test_an_external_result_is_a_run_of_a_heartbeat_check(golive: Golive) -> None:
    store = golive.runtime.store
    operator = create_token(store, "ci", "operator", T0)
    viewer = create_token(store, "eyes", "viewer", T0)
    body = {"ok": False, "latency_ms": 12.5, "error": "restore drill failed", "values": {"rows": 7}}
    refused = await golive.http.post(
        "/api/checks/backup/results", json=body, headers={"Authorization": f"Bearer {viewer}"}
    )
    assert refused.status_code == 403
    sent = await golive.http.post(
        "/api/checks/backup/results", json=body, headers={"Authorization": f"Bearer {operator}"}
    )
    assert (sent.status_code, sent.json()) == (202, {"accepted": True})
    await golive.advance()
    assert golive.state("backup") == "down"
    stored = history.evidence(store, subject="backup", limit=1).items[0]
    assert (stored.error, stored.latency_ms, stored.values["rows"]) == (
        "restore drill failed",
        12.5,
        7,
    )
    probed = await golive.http.post(
        "/api/checks/web/results", json=body, headers={"Authorization": f"Bearer {operator}"}
    )
    assert probed.status_code == 409
    missing = await golive.http.post(
        "/api/checks/nope/results", json=body, headers={"Authorization": f"Bearer {operator}"}
    )
    assert missing.status_code == 404


async def test_a_restart_goes_on_from_the_stored_runs(golive: Golive, tmp_path: Path) -> None:
    await golive.http.post(golive.url("backup") + "/start")
    await golive.advance()
    stored = load_heartbeats(golive.runtime.store)["backup"]
    assert stored.started_at == T0 and stored.runs == 0
    again = ServeRuntime(
        golive.runtime.loaded, store=golive.runtime.store, clock=golive.clock, environ={}
    )
    service = heartbeat_service(again)
    golive.clock.advance(timedelta(minutes=5))
    await service.tick(golive.clock.now())
    await again.cycle()
    assert again.statuses()["backup"].state == "down"  # the run started before the restart
