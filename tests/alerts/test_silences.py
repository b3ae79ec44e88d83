"""Silences as operators make them: validated against the config, listed, expired."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from golive.alerts import create_silence, expire_silence, list_silences
from golive.config import LoadedConfig
from golive.exceptions import UsageError
from golive.store import Store
from tests.devkit.alerts import NOW, World, load

CONFIG = """
components: [{name: API}, {name: Database}]
checks:
  - {name: api, component: API, http: {url: "http://h/"}, fail_after: 1, labels: {team: web}}
  - {name: postgres, component: Database, tcp: {host: h, port: 5432}, labels: {team: db}}
metrics:
  - {name: edge, access_log: {path: /tmp/access.log}}
alerts:
  - {name: slow-api, check: api, when: latency_ms > 500}
  - {name: error-rate, requests: edge, when: error_rate > 0.01}
"""


@pytest.fixture
def config(tmp_path: Path) -> LoadedConfig:
    return load(tmp_path, CONFIG)


def add(store: Store, config: LoadedConfig, **options: Any) -> Any:
    given: dict[str, Any] = {
        "duration": timedelta(hours=2),
        "reason": "migrating the database",
        "created_by": "alice",
        "now": NOW,
    }
    return create_silence(store, config, **(given | options))


def test_a_silence_is_kept_listed_and_expired(store: Store, config: LoadedConfig) -> None:
    made = add(store, config, component="Database", labels={"team": "db"})
    assert made.matchers == {"component": "Database", "labels": {"team": "db"}}
    assert (made.starts_at, made.ends_at) == (NOW, NOW + timedelta(hours=2))
    assert made.status(NOW) == "active"
    assert list_silences(store, NOW) == [made]
    expired = expire_silence(store, made.id, NOW + timedelta(minutes=5))
    assert expired.expired_at == NOW + timedelta(minutes=5)
    assert list_silences(store, NOW + timedelta(minutes=6)) == []
    assert list_silences(store, NOW, include_expired=True) == [expired]


def test_a_silence_that_ended_is_no_longer_listed(store: Store, config: LoadedConfig) -> None:
    made = add(store, config, check="api", duration=None, ends_at=NOW + timedelta(minutes=30))
    assert list_silences(store, NOW + timedelta(minutes=29)) == [made]
    assert list_silences(store, NOW + timedelta(minutes=30)) == []


def test_a_silence_can_start_later(store: Store, config: LoadedConfig) -> None:
    made = add(store, config, alert="slow-api", starts_at=NOW + timedelta(days=1))
    assert made.status(NOW) == "scheduled"
    assert made.ends_at == NOW + timedelta(days=1, hours=2)


def test_a_stored_silence_mutes_the_next_evaluation(
    tmp_path: Path, store: Store, config: LoadedConfig
) -> None:
    made = add(store, config, check="api")
    w = World(config, store=store)
    w.silences = list_silences(store, w.now)
    w.fail("api")
    (event,) = w.evaluate().events
    assert event.payload["silenced_by"] == f"silence:{made.id}"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "needs at least one of check, component, alert or labels"),
        ({"check": "apii"}, "no check named 'apii'; did you mean 'api'?"),
        ({"component": "Databse"}, "no component named 'Databse'; did you mean 'Database'?"),
        ({"alert": "zzz"}, r"no alert named 'zzz' \(known: api, postgres, slow-api, error-rate\)"),
        ({"labels": {"team": "dba"}}, r"no alert matches all of team=dba.*labels in use: team=db"),
        ({"check": "api", "component": "Database"}, "no alert matches all of check=api"),
        ({"check": "api", "reason": "  "}, "needs a reason"),
        ({"check": "api", "created_by": ""}, "say who created it"),
        ({"check": "api", "ends_at": NOW + timedelta(hours=1)}, "exactly one of duration"),
        ({"check": "api", "duration": None}, "exactly one of duration"),
        ({"check": "api", "duration": timedelta(0)}, "must be positive"),
        ({"check": "api", "duration": None, "ends_at": NOW}, "must end after it starts"),
        ({"check": "api", "starts_at": NOW - timedelta(hours=3)}, "not in the future"),
        ({"check": "api", "now": datetime(2026, 1, 1)}, "must carry a time zone"),
        ({"labels": {"": "x"}}, "need a name"),
    ],
)
def test_a_bad_silence_is_refused_with_a_clear_message(
    store: Store, config: LoadedConfig, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        add(store, config, **options)
    assert list_silences(store, NOW, include_expired=True) == []


def test_a_silence_may_name_a_rule_of_a_later_stage(store: Store, config: LoadedConfig) -> None:
    assert add(store, config, alert="error-rate").matchers == {"alert": "error-rate"}


def test_expiring_an_unknown_or_finished_silence_says_so(
    store: Store, config: LoadedConfig
) -> None:
    with pytest.raises(UsageError, match=r"no silence with id 42 \(see `golive silence list`\)"):
        expire_silence(store, 42, NOW)
    made = add(store, config, check="api")
    expire_silence(store, made.id, NOW)
    with pytest.raises(UsageError, match="already expired"):
        expire_silence(store, made.id, NOW)
    ended = add(store, config, check="api", duration=timedelta(minutes=1))
    with pytest.raises(UsageError, match="already ended"):
        expire_silence(store, ended.id, NOW + timedelta(minutes=1))
