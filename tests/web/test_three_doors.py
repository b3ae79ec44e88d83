"""`golive status`, ``/api/checks`` and the dashboard's overview read one model of the checks
now: for the same store they show the same checks in the same states, filtered alike."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from golive.cli import app as cli
from golive.clock import ManualClock
from golive.config import load_config
from golive.engine.once import open_store
from golive.records import CheckStatus
from golive.store.state import flush
from golive.store.tokens import create_token
from golive.web import create_app
from tests.devkit.web import FakeRuntime, TestClient, add_user, bearer, log_in
from tests.web.conftest import NOW, SECRET_PASSWORD, SECRET_URL

ENVIRON = {"API_URL": SECRET_URL}


@pytest.fixture
def stored(config_path: Path) -> Iterator[FakeRuntime]:
    """A web runtime with nothing in memory over the config's own store, where checkout is
    down (with a secret in its error), db up and api-health has never run."""
    loaded = load_config(config_path, environ=ENVIRON)
    store = open_store(loaded)
    error = f"GET {SECRET_URL} refused"
    flush(
        store,
        environment="test",
        statuses=[
            CheckStatus("checkout", "down", NOW - timedelta(minutes=5), last_error=error),
            CheckStatus("db", "up", NOW - timedelta(hours=2)),
        ],
        evidence=[],
        buckets=[],
    )
    yield FakeRuntime(loaded=loaded, store=store, clock=ManualClock(NOW), environ=ENVIRON)
    store.close()


def test_the_cli_the_api_and_the_dashboard_agree(
    stored: FakeRuntime, config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = create_token(stored.store, "reader", "viewer", NOW)
    add_user(stored, "vic", "viewer")
    monkeypatch.setenv("API_URL", SECRET_URL)
    queries = ["", "state=down", "component=API", "q=DATABASE", "sort=state"]
    cli_options = {
        "": [],
        "state=down": ["--state", "down"],
        "component=API": ["--component", "API"],
        "q=DATABASE": ["--search", "DATABASE"],
        "sort=state": ["--sort", "state"],
    }
    with TestClient(create_app(stored)) as client:
        assert log_in(client, "vic").status_code == 303
        for query in queries:
            result = CliRunner().invoke(
                cli, ["status", "-c", str(config_path), "--json", *cli_options[query]]
            )
            assert result.exit_code in (0, 1), result.output
            from_cli = [
                (c["name"], c["state"], c["last_error"])
                for c in json.loads(result.output)["checks"]
            ]

            api = client.get(f"/api/checks?{query}", headers=bearer(token)).json()["checks"]
            from_api = [(name, c["state"], c["last_error"]) for name, c in api.items()]

            page = client.get(f"/?{query}").text
            rows = re.findall(
                r'<th scope="row"><a [^>]+>([^<]+)</a></th>.*?state-(\w+)".*?'
                r'<td class="error-text">([^<]*)</td>',
                page,
                re.S,
            )
            from_page = [(name, state, error or None) for name, state, error in rows]

            assert from_cli == from_api == from_page, query
            assert from_cli, query
            assert SECRET_PASSWORD not in result.output + str(api) + page


def test_golive_status_redacts_a_stored_error_and_fails_when_a_shown_check_is_down(
    stored: FakeRuntime, config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("API_URL", SECRET_URL)
    result = CliRunner().invoke(cli, ["status", "-c", str(config_path), "--json"])
    assert result.exit_code == 1  # checkout is down
    checkout = next(c for c in json.loads(result.output)["checks"] if c["name"] == "checkout")
    assert checkout["last_error"] and SECRET_PASSWORD not in checkout["last_error"]
    up = CliRunner().invoke(cli, ["status", "-c", str(config_path), "--state", "up"])
    assert up.exit_code == 0 and "db" in up.output and "checkout" not in up.output
    bad = CliRunner().invoke(cli, ["status", "-c", str(config_path), "--sort", "sideways"])
    assert bad.exit_code == 2
