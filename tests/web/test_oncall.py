"""The on-call page and ``/api/oncall``: now and next per schedule, a calendar, the viewer role."""

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
from tests.devkit.web import NOW, FakeRuntime, TestClient, add_user, bearer, log_in

CONFIG = """
version: 1
project: shop
oncall:
  people: [{name: alice}, {name: bob}, {name: carol}]
  schedules:
    - name: primary
      timezone: America/New_York
      rotation: [alice, bob]
      start: 2026-10-26
      overrides:
        - {person: carol, from: "2026-11-10T00:00", to: "2026-11-11T00:00"}
"""


@pytest.fixture
def oncall_runtime(tmp_path: Path) -> Iterator[FakeRuntime]:
    path = tmp_path / "golive.yaml"
    path.write_text(textwrap.dedent(CONFIG))
    store = Store.open(normalise_url("sqlite:///oncall.db", tmp_path))
    yield FakeRuntime(
        loaded=load_config(path, environ={}), store=store, clock=ManualClock(NOW), environ={}
    )
    store.close()


def test_the_api_says_who_is_on_call_now_and_next(oncall_runtime: FakeRuntime) -> None:
    token = create_token(oncall_runtime.store, "viewer-token", "viewer", NOW)
    with TestClient(create_app(oncall_runtime)) as client:
        assert client.get("/api/oncall").status_code == 401
        answer = client.get("/api/oncall", headers=bearer(token))
        assert answer.status_code == 200
        (primary,) = answer.json()["schedules"]
        # NOW is 2026-11-02 12:00 UTC, 07:00 EST: alice until the 09:00 EST handoff.
        assert primary["person"] == "alice"
        assert primary["until"] == "2026-11-02T14:00:00Z"
        assert (primary["next"], primary["next_until"]) == ("bob", "2026-11-09T14:00:00Z")
        later = client.get("/api/oncall?at=2026-11-10T12:00:00Z", headers=bearer(token)).json()
        assert later["schedules"][0]["person"] == "carol"
        assert later["schedules"][0]["override"] is True


def test_the_page_shows_now_next_and_a_four_week_calendar(oncall_runtime: FakeRuntime) -> None:
    add_user(oncall_runtime, "vic", "viewer")
    with TestClient(create_app(oncall_runtime)) as client:
        assert client.get("/oncall", follow_redirects=False).status_code == 303
        log_in(client, "vic")
        page = client.get("/oncall")
        assert page.status_code == 200
        body = page.text
        assert 'href="/oncall" aria-current="page"' in body
        assert "<strong>alice</strong>" in body and "Mon 2026-11-02 09:00 EST" in body
        calendar = body.split('class="data calendar"')[1]
        assert calendar.count("<tr>") == 5  # the header and four weeks
        assert 'aria-current="date"' in calendar
        assert "<strong>carol</strong> (override)" in calendar


def test_the_api_answers_times_at_the_ends_of_the_calendar(oncall_runtime: FakeRuntime) -> None:
    token = create_token(oncall_runtime.store, "viewer-token", "viewer", NOW)
    with TestClient(create_app(oncall_runtime)) as client:
        for at, answered in (
            ("0001-01-01T00:00:00Z", "1900-01-01T00:00:00Z"),
            ("9999-12-31T23:59:59Z", "9000-01-01T00:00:00Z"),
        ):
            answer = client.get(f"/api/oncall?at={at}", headers=bearer(token))
            assert answer.status_code == 200, answer.text
            assert answer.json()["at"] == answered
        assert client.get("/api/oncall?at=0.5", headers=bearer(token)).status_code == 422
