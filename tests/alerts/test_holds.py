"""What holds alerts back: silences, maintenance windows, inhibition by ``depends_on``."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from golive.alerts import active_windows, maintenance_status
from golive.exceptions import ConfigError
from tests.devkit.alerts import World, load, moves

CONFIG = """
components: [{name: API}, {name: Database}]
checks:
  - {name: postgres, component: Database, tcp: {host: h, port: 5432}, fail_after: 1}
  - {name: app, component: API, tcp: {host: h, port: 80}, fail_after: 1, depends_on: [postgres]}
  - name: api
    component: API
    http: {url: "http://h/"}
    fail_after: 1
    depends_on: [app]
    labels: {team: web}
  - {name: cache, tcp: {host: h, port: 6379}, fail_after: 1, labels: {team: db}}
"""


def world(tmp_path: Path, extra: str = "") -> World:
    return World(load(tmp_path, CONFIG + extra))


def test_a_silence_by_label_mutes_only_matching_alerts(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.silence({"labels": {"team": "web"}})
    w.fail("api", "cache")
    evaluation = w.evaluate()
    assert moves(evaluation) == [("api", "firing"), ("cache", "firing")]
    held = {e.payload["name"]: e.payload["silenced_by"] for e in evaluation.events}
    assert held == {"api": "silence:1", "cache": None}


@pytest.mark.parametrize(
    ("matchers", "muted"),
    [
        ({"check": "app"}, {"app"}),
        ({"component": "API"}, {"app", "api"}),
        ({"alert": "cache"}, {"cache"}),
        ({"component": "API", "labels": {"team": "web"}}, {"api"}),
        ({"check": "app", "component": "Database"}, set()),
        ({}, set()),  # a silence without matchers mutes nothing
    ],
)
def test_a_silence_mutes_alerts_matching_all_its_matchers(
    tmp_path: Path, matchers: dict[str, object], muted: set[str]
) -> None:
    w = world(tmp_path)
    w.silence(matchers)
    w.fail("app", "api", "cache")
    w.evaluate()
    assert {a.name for a in w.current.values() if a.silenced_by} == muted


def test_a_silence_counts_only_between_its_start_and_end(tmp_path: Path) -> None:
    w = world(tmp_path)
    s = w.silence({"check": "cache"})
    w.silences = [replace(s, starts_at=w.now + timedelta(minutes=5))]
    w.fail("cache")
    w.evaluate()
    assert w.alert("cache").silenced_by is None
    w.silences = [replace(s, ends_at=w.now)]
    w.evaluate()
    assert w.alert("cache").silenced_by is None
    w.silences = [replace(s, expired_at=w.now)]
    assert w.evaluate().alerts == ()


def test_a_silenced_alert_still_changes_state(tmp_path: Path) -> None:
    w = world(tmp_path, "  - {name: slow, tcp: {host: h, port: 1}, fail_after: 3}\n")
    w.silence({"check": "slow"})
    w.fail("slow")
    assert moves(w.evaluate()) == [("slow", "pending")]
    w.fail("slow")
    w.fail("slow")
    evaluation = w.evaluate()
    assert moves(evaluation) == [("slow", "firing")]
    assert evaluation.events[0].payload["silenced_by"] == "silence:1"


def test_unsilencing_a_firing_alert_announces_it(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.silence({"check": "cache"}, hours=1)
    w.fail("cache")
    w.evaluate()
    w.later(timedelta(minutes=30)).fail("cache")
    assert moves(w.evaluate()) == []
    w.later(timedelta(minutes=30)).fail("cache")  # the silence has ended
    evaluation = w.evaluate()
    assert moves(evaluation) == [("cache", "firing")]
    payload = evaluation.events[0].payload
    assert (payload["reason"], payload["silenced_by"]) == ("unsilenced", None)


def test_silencing_a_firing_alert_records_no_event(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.fail("cache")
    w.evaluate()
    w.silence({"check": "cache"})
    evaluation = w.later().evaluate()
    assert moves(evaluation) == []
    assert [a.silenced_by for a in evaluation.alerts] == ["silence:1"]


def test_a_resolved_alert_carries_no_hold_so_its_all_clear_can_be_sent(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.fail("cache")
    w.evaluate()
    w.silence({"check": "cache"})
    w.later().succeed("cache")
    (event,) = w.evaluate().events
    assert (event.transition, event.payload["silenced_by"]) == ("resolved", None)


MAINTENANCE = """
maintenance:
  - name: weekly-db
    cron: "0 3 * * sun"
    duration: 1h
    components: [Database]
    message: VACUUM
"""


@pytest.mark.parametrize(
    ("at", "active"),
    [
        (datetime(2026, 11, 1, 2, 59, 59, tzinfo=UTC), False),
        (datetime(2026, 11, 1, 3, 0, tzinfo=UTC), True),
        (datetime(2026, 11, 1, 3, 59, 59, 999999, tzinfo=UTC), True),
        (datetime(2026, 11, 1, 4, 0, tzinfo=UTC), False),
        (datetime(2026, 11, 2, 3, 30, tzinfo=UTC), False),  # Monday
        (datetime(2026, 11, 8, 3, 30, tzinfo=UTC), True),  # the next Sunday
    ],
)
def test_maintenance_by_cron_covers_the_window_and_not_after(
    tmp_path: Path, at: datetime, active: bool
) -> None:
    config = load(tmp_path, CONFIG + MAINTENANCE)
    assert [w.name for w in active_windows(config.config, at)] == (["weekly-db"] if active else [])


def test_an_alert_under_maintenance_is_silenced_by_the_window(tmp_path: Path) -> None:
    w = world(tmp_path, MAINTENANCE)
    w.clock.set(datetime(2026, 11, 1, 3, 10, tzinfo=UTC))
    w.fail("postgres", "cache")
    evaluation = w.evaluate()
    held = {e.payload["name"]: e.payload["silenced_by"] for e in evaluation.events}
    assert held == {"postgres": "maintenance:weekly-db", "cache": None}
    w.later(timedelta(hours=1)).fail("postgres")
    assert moves(w.evaluate()) == [("postgres", "firing")]  # announced when the window ends
    assert w.events[-1].payload["reason"] == "unsilenced"


def test_a_one_off_window_and_a_window_naming_nothing(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        CONFIG
        + """
maintenance:
  - {name: move, start: "2026-12-01T03:00:00Z", duration: 2h, checks: [cache]}
  - {name: freeze, start: "2026-12-24T00:00:00Z", duration: 1d}
""",
    )
    at = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
    assert maintenance_status(config, at) == {"cache": "move"}
    assert maintenance_status(config, at + timedelta(hours=1)) == {}
    christmas = datetime(2026, 12, 24, 12, 0, tzinfo=UTC)
    assert maintenance_status(config, christmas) == dict.fromkeys(
        ["postgres", "app", "api", "cache"], "freeze"
    )


def test_maintenance_status_names_the_window_of_each_check(tmp_path: Path) -> None:
    config = load(tmp_path, CONFIG + MAINTENANCE)
    assert maintenance_status(config, datetime(2026, 11, 1, 3, 0, tzinfo=UTC)) == {
        "postgres": "weekly-db"
    }


def test_an_invalid_cron_expression_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"maintenance\[weekly-db\].cron: invalid cron expression '0 25 \* \* \*'"
    ):
        load(tmp_path, CONFIG + MAINTENANCE.replace("0 3 * * sun", "0 25 * * *"))


def test_inhibited_alerts_name_the_root_cause(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.fail("postgres", "app", "api")
    evaluation = w.evaluate()
    payloads = {e.payload["name"]: e.payload for e in evaluation.events}
    assert {name: p["inhibited_by"] for name, p in payloads.items()} == {
        "postgres": None,
        "app": "postgres",
        "api": "postgres",
    }
    assert payloads["postgres"]["affected"] == ["api", "app"]
    assert payloads["app"]["affected"] == []


def test_a_down_dependency_inhibits_through_an_up_one(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.fail("postgres", "api")
    w.succeed("app")
    w.evaluate()
    assert w.alert("api").inhibited_by == "postgres"


def test_the_root_cause_is_the_deepest_down_dependency(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.fail("app", "api")
    w.succeed("postgres")
    w.evaluate()
    assert w.alert("api").inhibited_by == "app"
    assert w.alert("app").inhibited_by is None


def test_when_the_root_cause_recovers_a_still_firing_dependent_is_announced(
    tmp_path: Path,
) -> None:
    w = world(tmp_path)
    w.fail("postgres", "app")
    w.evaluate()
    w.later().succeed("postgres")
    w.fail("app")
    evaluation = w.evaluate()
    assert moves(evaluation) == [("postgres", "resolved"), ("app", "firing")]
    assert evaluation.events[1].payload["reason"] == "uninhibited"
