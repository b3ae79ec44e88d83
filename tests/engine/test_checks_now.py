"""The checks now: states from memory or the store, and the one set of filters and sorts."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from golive.config import LoadedConfig, load_config
from golive.engine.checks_now import ChecksNow, Selection, checks_now, parse_label
from golive.records import CheckStatus
from golive.store import Store, normalise_url
from golive.store.state import flush

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
SECRET = "s3cret-password-42"
CONFIG = """
version: 1
project: shop
components: [{name: API}, {name: Database}]
checks:
  - name: api-health
    component: API
    description: The public API answers
    labels: {team: web, tier: "1"}
    http: {url: "http://monitor:${env:PASSWORD}@127.0.0.1:9/health"}
  - name: checkout
    component: API
    description: Buying works end to end
    labels: {team: payments}
    http: {url: "http://127.0.0.1:9/checkout"}
  - name: db
    component: Database
    tcp: {host: 127.0.0.1, port: 5432}
  - name: backup-age
    tcp: {host: 127.0.0.1, port: 5433}
"""


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedConfig:
    path = tmp_path / "golive.yaml"
    path.write_text(textwrap.dedent(CONFIG))
    return load_config(path, environ={"PASSWORD": SECRET})


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    yield store
    store.close()


def status(name: str, state: str, **extra: object) -> CheckStatus:
    return CheckStatus(name, state, NOW - timedelta(minutes=5), **extra)  # type: ignore[arg-type]


@pytest.fixture
def now(loaded: LoadedConfig, store: Store) -> ChecksNow:
    """api-health up, checkout down (in memory), db down (stored only), backup-age never run."""
    flush(store, environment="test", statuses=[status("db", "down")], evidence=[], buckets=[])
    live = {"api-health": status("api-health", "up"), "checkout": status("checkout", "down")}
    return checks_now(loaded, store, live=live, maintenance={"db": "nightly"})


def names(now: ChecksNow, **selection: object) -> list[str]:
    return [row.name for row in now.select(Selection(**selection))]  # type: ignore[arg-type]


def test_memory_wins_and_the_store_fills_in_what_memory_lacks(
    loaded: LoadedConfig, store: Store, now: ChecksNow
) -> None:
    assert [(r.name, r.state) for r in now.rows] == [
        ("api-health", "up"),
        ("checkout", "down"),
        ("db", "down"),
        ("backup-age", "unknown"),
    ]
    assert now.counts == {"up": 1, "down": 2, "unknown": 1}
    assert now.components == ("API", "Database")
    assert [r.maintenance for r in now.rows] == [None, None, "nightly", None]
    stored_only = checks_now(loaded, store)  # the CLI: no scheduler memory
    assert [r.state for r in stored_only.rows] == ["unknown", "unknown", "down", "unknown"]


def test_errors_are_redacted(loaded: LoadedConfig, store: Store) -> None:
    failed = [{"expect": "status == 200", "values": {"url": f"http://x:{SECRET}@h/"}}]
    live = {
        "api-health": status(
            "api-health", "down", last_error=f"refused {SECRET}", last_failed=failed
        )
    }
    row = checks_now(loaded, store, live=live).rows[0]
    assert row.last_error is not None and SECRET not in row.last_error
    assert SECRET not in str(row.last_failed) and row.last_failed[0]["expect"] == "status == 200"
    assert row.status is not None and row.status.last_error == f"refused {SECRET}"  # as it was


def test_each_filter_narrows_and_they_combine(now: ChecksNow) -> None:
    assert names(now) == ["api-health", "checkout", "db", "backup-age"]
    assert names(now, state="down") == ["checkout", "db"]
    assert names(now, state="unknown") == ["backup-age"]
    assert names(now, component="API") == ["api-health", "checkout"]
    assert names(now, component="API", state="down") == ["checkout"]
    assert names(now, component="Nope") == []


def test_search_finds_text_in_the_name_description_or_component_in_any_case(
    now: ChecksNow,
) -> None:
    assert names(now, q="BUYING") == ["checkout"]  # description
    assert names(now, q="database") == ["db"]  # component
    assert names(now, q="health") == ["api-health"]  # name
    assert names(now, q="e") == ["api-health", "checkout", "db", "backup-age"]
    assert names(now, q="nothing-like-this") == []


def test_labels_match_by_key_and_value_or_by_key_alone(now: ChecksNow) -> None:
    assert names(now, labels=(parse_label("team=payments"),)) == ["checkout"]
    assert names(now, labels=(parse_label("team"),)) == ["api-health", "checkout"]
    assert names(now, labels=(("team", "web"), ("tier", "1"))) == ["api-health"]
    assert names(now, labels=(("team", "web"), ("tier", "2"))) == []
    assert parse_label(" team = web ") == ("team", "web")


def test_sorts_are_stable_and_put_the_worst_first(now: ChecksNow) -> None:
    assert names(now, sort="name") == ["api-health", "backup-age", "checkout", "db"]
    assert names(now, sort="state") == ["checkout", "db", "backup-age", "api-health"]
    assert names(now, sort="state", component="API") == ["checkout", "api-health"]
