"""``/api/flags``: bulk definitions with ETag/304, evaluation, audited changes by role."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.clock import ManualClock
from golive.config import load_config
from golive.store import Store, normalise_url
from golive.store.tokens import create_token
from golive.web import create_app
from tests.devkit.web import NOW, FakeRuntime, TestClient, add_user, bearer, form_token, log_in

CONFIG = """
version: 1
project: shop
environment: production
flags:
  - {name: analytics-dashboard, enabled: true, rollout: 100%, roles: [ADMIN, SUPPORT]}
  - {name: mobile-pwa-install, enabled: true, rollout: 25%, environments: [production]}
"""


@pytest.fixture
def flags_runtime(tmp_path: Path) -> Iterator[FakeRuntime]:
    path = tmp_path / "golive.yaml"
    path.write_text(textwrap.dedent(CONFIG))
    store = Store.open(normalise_url("sqlite:///flags.db", tmp_path))
    yield FakeRuntime(
        loaded=load_config(path, environ={}), store=store, clock=ManualClock(NOW), environ={}
    )
    store.close()


def test_the_bulk_document_has_an_etag_and_answers_304_until_a_change(
    flags_runtime: FakeRuntime,
) -> None:
    viewer = bearer(create_token(flags_runtime.store, "sdk", "viewer", NOW))
    operator = bearer(create_token(flags_runtime.store, "ops", "operator", NOW))
    with TestClient(create_app(flags_runtime)) as client:
        assert client.get("/api/flags").status_code == 401
        first = client.get("/api/flags", headers=viewer)
        assert first.status_code == 200
        etag = first.headers["ETag"]
        assert first.json()["environment"] == "production"
        assert [f["rollout"] for f in first.json()["flags"]] == [100.0, 25.0]
        same = client.get("/api/flags", headers={**viewer, "If-None-Match": etag})
        assert (same.status_code, same.content) == (304, b"")
        changed = client.patch(
            "/api/flags/mobile-pwa-install",
            json={"rollout": 50, "reason": "ramp"},
            headers=operator,
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["by"] == "token:ops"
        assert changed.json()["before"] == {"enabled": True, "rollout": 25.0}
        after = client.get("/api/flags", headers={**viewer, "If-None-Match": etag})
        assert after.status_code == 200
        assert after.headers["ETag"] != etag
        assert after.json()["flags"][1]["rollout"] == 50.0
        history = client.get("/api/flags/mobile-pwa-install/history", headers=viewer).json()
        assert [(h["by"], h["reason"]) for h in history] == [("token:ops", "ramp")]


def test_a_viewer_evaluates_but_cannot_change(flags_runtime: FakeRuntime) -> None:
    viewer = bearer(create_token(flags_runtime.store, "sdk", "viewer", NOW))
    with TestClient(create_app(flags_runtime)) as client:
        one = client.post(
            "/api/flags/evaluate",
            json={"flag": "analytics-dashboard", "context": {"roles": ["SUPPORT"]}},
            headers=viewer,
        )
        assert one.json()["results"] == [
            {
                "flag": "analytics-dashboard",
                "value": True,
                "reason": "TARGETING_MATCH",
                "detail": "on for everyone targeted",
                "variant": None,
                "error_code": None,
            }
        ]
        every = client.post(
            "/api/flags/evaluate", json={"context": {"user_id": "7"}}, headers=viewer
        )
        assert {r["flag"]: r["reason"] for r in every.json()["results"]} == {
            "analytics-dashboard": "DEFAULT",
            "mobile-pwa-install": "SPLIT",
        }
        staging = client.post(
            "/api/flags/evaluate",
            json={
                "flag": "mobile-pwa-install",
                "context": {"user_id": "7", "environment": "staging"},
            },
            headers=viewer,
        )
        assert staging.json()["results"][0]["value"] is False
        unknown = client.post("/api/flags/evaluate", json={"flag": "nope"}, headers=viewer)
        assert unknown.status_code == 404
        refused = client.patch(
            "/api/flags/mobile-pwa-install", json={"enabled": False}, headers=viewer
        )
        assert refused.status_code == 403


def test_a_rollout_outside_0_to_100_or_of_another_type_is_refused(
    flags_runtime: FakeRuntime,
) -> None:
    operator = bearer(create_token(flags_runtime.store, "ops", "operator", NOW))
    with TestClient(create_app(flags_runtime)) as client:
        for wrong in ({"rollout": 101}, {"rollout": -0.5}, {"rollout": False}, {"enabled": "yes"}):
            answer = client.patch("/api/flags/mobile-pwa-install", json=wrong, headers=operator)
            assert answer.status_code == 422, wrong
        empty = client.patch(
            "/api/flags/mobile-pwa-install", json={"reason": "x"}, headers=operator
        )
        assert empty.status_code == 409, empty.text
        assert "say what to change" in empty.json()["detail"]
        history = client.get("/api/flags/mobile-pwa-install/history", headers=operator).json()
        assert history == []
        assert (
            client.patch("/api/flags/nope", json={"enabled": True}, headers=operator).status_code
            == 404
        )


def test_the_flags_page_shows_state_and_operators_change_it(flags_runtime: FakeRuntime) -> None:
    add_user(flags_runtime, "vic", "viewer")
    add_user(flags_runtime, "ola", "operator")
    with TestClient(create_app(flags_runtime)) as client:
        log_in(client, "vic")
        page = client.get("/flags")
        assert page.status_code == 200
        assert 'href="/flags" aria-current="page"' in page.text
        assert "<code>mobile-pwa-install</code>" in page.text and "25%" in page.text
        assert 'action="/flags/mobile-pwa-install"' not in page.text  # viewers see, not change
        token = form_token(client, "/flags")
        refused = client.post(
            "/flags/mobile-pwa-install", data={"enabled": "off", "csrf_token": token}
        )
        assert refused.status_code == 403
    with TestClient(create_app(flags_runtime)) as client:
        log_in(client, "ola")
        assert 'action="/flags/mobile-pwa-install"' in client.get("/flags").text
        no_csrf = client.post("/flags/mobile-pwa-install", data={"enabled": "off"})
        assert no_csrf.status_code == 403
        token = form_token(client, "/flags")
        done = client.post(
            "/flags/mobile-pwa-install",
            data={"enabled": "off", "rollout": "40", "reason": "crash", "csrf_token": token},
            follow_redirects=False,
        )
        assert done.status_code == 303
        wrong = client.post(
            "/flags/mobile-pwa-install",
            data={"enabled": "on", "rollout": "140", "csrf_token": token},
        )
        assert "a rollout is a percentage from 0 to 100" in wrong.text
        shown = client.get("/flags").text
        assert "by user:ola" in shown and "on, 25%" in shown and "off, 40%" in shown
