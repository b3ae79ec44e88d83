"""The operator dashboard: pages behind the login, filters and pages over many checks, a
check's page, silencing from it, roles, the latency JSON, the gate and tokens pages, the CSP."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from golive.clock import ManualClock
from golive.config import load_config
from golive.records import Bucket, CheckStatus
from golive.store import Store, normalise_url
from golive.store.gate import record_gate_run
from golive.web import create_app
from golive.web.checks_now import MAINTENANCE_EVERY, MAX_AGE
from tests.devkit.web import (
    NOW,
    PASSWORD,
    FakeRuntime,
    MakeClient,
    TestClient,
    add_user,
    form_token,
    log_in,
    seed_alert,
    seed_evidence,
    seed_notification,
    seed_rollup,
    signed_in,
)

PAGES = [
    "/",
    "/checks/db",
    "/alerts",
    "/incidents",
    "/slos",
    "/silences",
    "/notifications",
    "/gate",
    "/loadtests",
    "/maintenance",
    "/oncall",
    "/dora",
]


def test_pages_need_a_login(client: TestClient) -> None:
    for path in [*PAGES, "/tokens", "/users", "/checks/db/latency.json"]:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=")


def test_every_page_has_the_csp_without_unsafe_inline(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    client = signed_in(make_client, runtime, "ada", "admin")
    for path in [*PAGES, "/tokens", "/users"]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert "unsafe-eval" not in csp
        body = response.text
        assert "<style" not in body and " style=" not in body and " on" + "click" not in body
        assert re.search(r"<script(?![^>]*\bsrc=)", body) is None, path  # no inline script
        assert 'href="/alerts"' in body and 'href="/tokens"' in body  # the nav


# -- the overview -----------------------------------------------------------------------------


@pytest.fixture
def many(tmp_path: Path) -> Iterator[FakeRuntime]:
    """250 checks over 3 components; every 10th is down."""
    checks = "".join(
        f"  - name: svc-{i:03d}\n    component: C{i % 3}\n"
        f"    tcp: {{host: 127.0.0.1, port: {1000 + i}}}\n"
        for i in range(250)
    )
    path = tmp_path / "many.yaml"
    path.write_text(
        textwrap.dedent("""
        version: 1
        project: big
        components: [{name: C0}, {name: C1}, {name: C2}]
        checks:
        """)
        + checks
    )
    store = Store.open(normalise_url("sqlite:///many.db", tmp_path))
    runtime = FakeRuntime(
        loaded=load_config(path, environ={}), store=store, clock=ManualClock(NOW), environ={}
    )
    for i in range(250):
        down = i % 10 == 0
        runtime.live[f"svc-{i:03d}"] = CheckStatus(
            name=f"svc-{i:03d}",
            state="down" if down else "up",
            since=NOW - timedelta(minutes=5),
            last_latency_ms=42.0,
            last_error="connection refused" if down else None,
        )
    yield runtime
    store.close()


def test_the_overview_lists_filters_and_pages(many: FakeRuntime) -> None:
    add_user(many, "vic", "viewer")
    with TestClient(create_app(many)) as client:
        assert log_in(client, "vic").status_code == 303
        first = client.get("/")
        assert first.status_code == 200
        assert first.text.count('<th scope="row">') == 100
        assert "Checks 1–100 of 250" in first.text and "svc-099" in first.text
        summary = re.sub(
            r"<[^>]+>|\s+", " ", first.text.split('class="summary">')[1].split("</p>")[0]
        )
        assert " ".join(summary.split()) == "250 checks: 225 operational , 25 outage"
        assert "svc-100" not in first.text
        assert 'href="/?offset=100"' in first.text
        last = client.get("/?offset=200")
        assert last.text.count('<th scope="row">') == 50 and "svc-249" in last.text
        assert 'rel="next"' not in last.text and 'href="/?offset=100"' in last.text

        down = client.get("/?state=down")
        assert "Checks 1–25 of 25" in down.text
        assert "Outage" in down.text and "connection refused" in down.text  # text, not colour
        assert "state-down" in down.text and "svc-001" not in down.text
        component = client.get("/?component=C1&q=svc-00")
        assert re.findall(r">(svc-\d+)</a>", component.text) == ["svc-001", "svc-004", "svc-007"]

        fragment = client.get("/?state=down&fragment=1")
        assert fragment.status_code == 200 and "<html" not in fragment.text
        assert "svc-010" in fragment.text
        assert 'data-refresh="/?state=down&amp;fragment=1"' in down.text
        assert client.get("/?limit=501").status_code == 422


def test_the_overview_is_made_again_as_soon_as_the_checks_change(many: FakeRuntime) -> None:
    add_user(many, "vic", "viewer")
    many.recent = {"svc-001": (12.0, 30.0, None, 18.0)}
    with TestClient(create_app(many)) as client:
        assert log_in(client, "vic").status_code == 303
        first = client.get("/?q=svc-001")
        assert 'aria-label="Last 4 runs: 12–30 ms, 1 failed"' in first.text  # words, not a line
        assert first.text.count('class="sparkline"') == 1  # the others have not run yet

        many.recent["svc-001"] = (12.0,)  # no new state: the runtime's checks_version stays
        assert client.get("/?q=svc-001").content == first.content  # the table made before
        many.live["svc-001"] = CheckStatus(name="svc-001", state="down", since=NOW)
        changed = client.get("/?q=svc-001").text
        assert "state-down" in changed and "Last 1 run" in changed
        assert "state-down" in client.get("/?q=svc-001&fragment=1").text

        many.windows["svc-001"] = "nightly"  # the clock, not a result, starts a window
        assert "in nightly" not in client.get("/?q=svc-001").text
        many.clock.advance(MAINTENANCE_EVERY)
        assert "in nightly" in client.get("/?q=svc-001").text

        many.recent["svc-001"] = (13.0, 14.0)  # what neither covers: at most MAX_AGE late
        many.clock.advance(MAX_AGE)
        assert "Last 2 runs" in client.get("/?q=svc-001").text


def test_the_shared_page_has_each_users_own_name_token_and_role(many: FakeRuntime) -> None:
    add_user(many, "quincy", "viewer")
    add_user(many, "ada", "admin")
    app = create_app(many)
    with TestClient(app) as quincy, TestClient(app) as ada:
        assert log_in(quincy, "quincy").status_code == 303
        assert log_in(ada, "ada").status_code == 303
        for client in (quincy, ada):
            client.get("/?state=down")  # the page of each role made once, then from the cache
        mine, hers = quincy.get("/?state=down").text, ada.get("/?state=down").text
        assert "quincy (viewer)" in mine and "ada (admin)" not in mine
        assert "ada (admin)" in hers and "quincy" not in hers
        assert 'href="/tokens"' in hers and 'href="/tokens"' not in mine
        my_token, her_token = form_token(quincy, "/?state=down"), form_token(ada, "/?state=down")
        assert my_token != her_token
        logout = quincy.post("/logout", data={"csrf_token": my_token}, follow_redirects=False)
        assert logout.status_code == 303  # the token in the shared page is the user's own


def test_the_overview_filters_by_label_and_sorts(tmp_path: Path, runtime: FakeRuntime) -> None:
    runtime.live["db"] = CheckStatus("db", "down", NOW)
    runtime.live["api-health"] = CheckStatus("api-health", "up", NOW)
    add_user(runtime, "vic", "viewer")
    with TestClient(create_app(runtime)) as client:
        assert log_in(client, "vic").status_code == 303

        def shown(query: str) -> list[str]:
            response = client.get(f"/?{query}")
            assert response.status_code == 200, response.text
            return re.findall(r'<th scope="row"><a [^>]+>([^<]+)</a>', response.text)

        assert shown("") == ["api-health", "checkout", "db"]
        assert shown("sort=state") == ["db", "checkout", "api-health"]
        assert shown("sort=name&component=API") == ["api-health", "checkout"]
        assert shown("label=nope") == []
        assert client.get("/?sort=sideways").status_code == 422


# -- a check's page ---------------------------------------------------------------------------


def _failing_db(runtime: FakeRuntime) -> None:
    failed = [{"expect": "status == 200", "values": {"status": 503}}]
    runtime.live["db"] = CheckStatus(
        name="db",
        state="down",
        since=NOW - timedelta(minutes=3),
        last_ok=False,
        last_latency_ms=17.0,
        last_error="unexpected status",
        last_failed=failed,
    )
    seed_evidence(runtime.store, "db", False, NOW - timedelta(minutes=1), failed=failed)
    seed_evidence(runtime.store, "db", True, NOW - timedelta(minutes=30))
    seed_alert(runtime.store, "f" * 64, NOW - timedelta(minutes=2), name="db", check="db")


def test_the_check_page_shows_failures_evidence_and_alerts(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    _failing_db(runtime)
    client = signed_in(make_client, runtime, "vic", "viewer")
    page = client.get("/checks/db")
    assert page.status_code == 200
    assert "Outage" in page.text and "status == 200" in page.text and "503" in page.text
    assert "unexpected status" in page.text and "Failed" in page.text and "Passed" in page.text
    assert "ffffffffffff" in page.text  # its firing alert
    assert 'data-latency="/checks/db/latency.json"' in page.text
    assert client.get("/checks/nope").status_code == 404


def test_the_latency_json_has_the_minutes_of_a_day_and_the_open_one(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    two_hours_ago, now = NOW - timedelta(hours=2), NOW.replace(second=0)
    seed_rollup(runtime.store, "db", two_hours_ago, runs=6, failures=1, resolution="minute")
    seed_rollup(runtime.store, "db", NOW - timedelta(hours=30), 6, 0, resolution="minute")  # old
    seed_rollup(runtime.store, "db", NOW - timedelta(hours=1), runs=60, failures=0)  # an hour
    runtime.unsaved = [Bucket("db", "minute", now, 2, 0, 8.0, 5.0, [2] + [0] * 11)]
    client = signed_in(make_client, runtime, "vic", "viewer")
    data = client.get("/checks/db/latency.json").json()
    assert data["t"] == [int(two_hours_ago.timestamp()), int(now.timestamp())]
    assert data["avg"] == [10.0, 4.0] and data["max"] == [30.0, 5.0]
    assert data["runs"] == [6, 2] and data["failures"] == [1, 0]


def test_an_operator_silences_a_check_from_its_page(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    _failing_db(runtime)
    client = signed_in(make_client, runtime, "otto", "operator")
    token = form_token(client, "/checks/db")
    response = client.post(
        "/checks/db/silence",
        data={"duration": "2h", "reason": "fixing the disk", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/checks/db"
    shown = client.get("/checks/db")
    assert "Silenced db until 2026-11-02 14:00 UTC" in shown.text
    assert "Silenced db" not in client.get("/checks/db").text  # a flash shows once
    silences = client.get("/silences").text
    assert "fixing the disk" in silences and "user:otto" in silences
    assert 'action="/silences/1/expire"' in silences


def test_a_viewer_sees_no_operator_forms_and_a_forged_post_is_refused(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    _failing_db(runtime)
    client = signed_in(make_client, runtime, "vic", "viewer")
    page = client.get("/checks/db").text
    assert "/silence" not in page.replace("/silences", "")
    assert "/ack" not in client.get("/alerts").text
    assert 'action="/silences"' not in client.get("/silences").text
    token = form_token(client, "/")  # the logout form's token: a valid one
    for path, data in [
        ("/checks/db/silence", {"duration": "1h", "reason": "x"}),
        ("/silences", {"check": "db", "duration": "1h", "reason": "x"}),
        (f"/alerts/{'f' * 64}/ack", {}),
        ("/tokens", {"name": "x", "role": "admin"}),
        ("/users", {"name": "x", "role": "admin", "password": "p" * 12, "confirm": "p" * 12}),
        ("/users/ada/remove", {}),
        ("/gate/signoff", {"item": "x"}),
    ]:
        response = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == 403, path
    assert client.get("/silences").text.count('<th scope="row">') == 0


def test_posts_without_the_csrf_token_are_refused(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    client = signed_in(make_client, runtime, "otto", "operator")
    response = client.post("/checks/db/silence", data={"duration": "1h", "reason": "x"})
    assert response.status_code == 403


def test_an_operator_acknowledges_an_alert(make_client: MakeClient, runtime: FakeRuntime) -> None:
    _failing_db(runtime)
    client = signed_in(make_client, runtime, "otto", "operator")
    token = form_token(client, "/alerts")
    response = client.post(f"/alerts/{'f' * 64}/ack", data={"csrf_token": token})
    assert response.status_code == 200 and "Acknowledged db." in response.text
    assert "Acknowledged by user:otto" in response.text


def test_an_alert_is_silenced_from_the_alerts_page_in_two_clicks(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    _failing_db(runtime)
    client = signed_in(make_client, runtime, "otto", "operator")
    alerts = client.get("/alerts").text
    assert 'href="/silences?check=db#new-h" aria-label="Silence db">Silence…</a>' in alerts
    form = client.get("/silences?check=db").text  # click 1: the form, the check chosen
    assert 'name="check" value="db"' in form and '<option value="checkout">' in form
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    created = client.post(  # click 2 (with a reason typed): the duration is preset to 1h
        "/silences",
        data={"check": "db", "duration": "1h", "reason": "failover", "csrf_token": token[1]},
    )
    assert created.status_code == 200 and "failover" in created.text
    viewer = signed_in(make_client, runtime, "vic", "viewer")
    assert "Silence…" not in viewer.get("/alerts").text


# -- gate, tokens, the rest -------------------------------------------------------------------


def test_the_gate_page(make_client: MakeClient, runtime: FakeRuntime) -> None:
    client = signed_in(make_client, runtime, "vic", "viewer")
    assert "No gate verdict yet" in client.get("/gate").text
    items = [
        {"name": "backups", "category": "data", "required": True, "ok": False,
         "status": "fail", "reason": "no backup in 24h", "evidence": {"age_h": 30}},
        {"name": "tls", "category": "security", "required": True, "ok": True,
         "status": "pass", "reason": "valid", "evidence": {}},
    ]  # fmt: skip
    record_gate_run(runtime.store, "default", NOW, "no-go", items, release="v1.4.0")
    page = client.get("/gate").text
    assert "NO-GO" in page and "no backup in 24h" in page and "age_h" in page
    assert "release v1.4.0" in page
    assert page.index(">data<") < page.index("no backup in 24h") < page.index(">security<")


def test_tokens_are_for_admins(make_client: MakeClient, runtime: FakeRuntime) -> None:
    operator = signed_in(make_client, runtime, "otto", "operator")
    assert operator.get("/tokens").status_code == 403
    assert 'href="/tokens"' not in operator.get("/").text
    admin = signed_in(make_client, runtime, "ada", "admin")
    token = form_token(admin, "/tokens")
    created = admin.post("/tokens", data={"name": "ci", "role": "viewer", "csrf_token": token})
    assert created.status_code == 200 and created.headers["cache-control"] == "no-store"
    plaintext = re.search(r'<code id="new-token">([^<]+)</code>', created.text)
    assert plaintext
    assert admin.get("/tokens").text.count(plaintext.group(1)) == 0  # shown once
    assert (
        make_client()
        .get("/api/checks", headers={"Authorization": f"Bearer {plaintext.group(1)}"})
        .status_code
        == 200
    )
    revoked = admin.post("/tokens/1/revoke", data={"csrf_token": token})
    assert "Revoked token ci." in revoked.text and "revoked" in revoked.text


def test_an_admin_adds_and_removes_users(make_client: MakeClient, runtime: FakeRuntime) -> None:
    operator = signed_in(make_client, runtime, "otto", "operator")
    assert operator.get("/users").status_code == 403
    assert 'href="/users"' not in operator.get("/").text
    admin = signed_in(make_client, runtime, "ada", "admin")
    token = form_token(admin, "/users")
    new = {"name": "nina", "role": "viewer", "csrf_token": token}
    differ = admin.post("/users", data={**new, "password": PASSWORD, "confirm": "other"})
    assert "The two passwords differ." in differ.text
    short = admin.post("/users", data={**new, "password": "short", "confirm": "short"})
    assert "Not added: a password is" in short.text
    added = admin.post("/users", data={**new, "password": PASSWORD, "confirm": PASSWORD})
    assert "Added nina (viewer)." in added.text
    assert PASSWORD not in added.text  # never shown back
    nina = TestClient(admin.app)  # the same server as the admin's
    assert log_in(nina, "nina").status_code == 303 and nina.get("/").status_code == 200

    yourself = admin.post("/users/ada/remove", data={"csrf_token": token})
    assert "You cannot remove yourself here." in yourself.text
    removed = admin.post("/users/nina/remove", data={"csrf_token": token})
    assert "Removed nina; 1 session(s) ended." in removed.text
    assert nina.get("/", follow_redirects=False).status_code == 303  # at once, on this server
    assert (
        "Not removed: no user &#39;nina&#39;."
        in admin.post("/users/nina/remove", data={"csrf_token": token}).text
    )


def test_the_maintenance_and_notifications_pages(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    runtime.windows["db"] = "nightly"
    client = signed_in(make_client, runtime, "vic", "viewer")
    page = client.get("/maintenance").text
    assert "nightly" in page and "Active" in page and "0 3 * * *" in page
    seed_notification(runtime.store, "k1", NOW, status="failed", last_error="smtp said 550")
    seed_notification(runtime.store, "k2", NOW, status="delivered", delivered_at=NOW)
    notifications = client.get("/notifications").text
    assert "smtp said 550" in notifications and "1 failed" in notifications
    assert "Delivered (1)" in notifications
