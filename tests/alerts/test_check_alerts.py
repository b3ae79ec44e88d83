"""The implicit alert of every check: pending while failing, firing when DOWN, resolved when UP."""

from __future__ import annotations

import json
from pathlib import Path

from golive.alerts import evaluate
from tests.devkit.alerts import NOW, World, load, moves

CONFIG = """
components: [{name: API}, {name: Database}]
checks:
  - name: api
    component: API
    http: {url: "http://127.0.0.1:1/health"}
    labels: {team: web}
    runbook: https://runbooks.example/api
  - name: db
    component: Database
    tcp: {host: 127.0.0.1, port: 1}
    severity: critical
    fail_after: 1
"""


def world(tmp_path: Path) -> World:
    return World(load(tmp_path, CONFIG))


def test_a_check_alert_fires_when_the_check_goes_down(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.fail("api")
    assert moves(w.evaluate()) == [("api", "pending")]
    assert w.alert("api").summary == (
        "api is failing (1 of 2 failures before DOWN): status < 400 → status = 503"
    )
    w.later().fail("api")
    evaluation = w.evaluate()
    assert moves(evaluation) == [("api", "firing")]
    alert = w.alert("api")
    assert alert.state == "firing"
    assert alert.pending_since == NOW
    assert alert.firing_since == w.now
    assert alert.summary == "api is DOWN since 12:01:00Z: status < 400 → status = 503"
    assert alert.details == {
        "target": "http://api",
        "error": None,
        "failed": [{"expect": "status < 400", "values": {"status": 503}}],
        "values": {"status": 503},
    }
    assert (alert.severity, alert.component, alert.labels, alert.rule) == (
        "high",
        "API",
        {"team": "web"},
        None,
    )
    payload = evaluation.events[0].payload
    assert payload["runbook"] == "https://runbooks.example/api"
    assert payload["since"] == w.now.isoformat()
    assert payload["started_at"] == NOW.isoformat()


def test_a_probe_error_is_the_summary(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.fail("db", error="cannot connect to 127.0.0.1:1: connection refused")
    w.evaluate()
    assert w.alert("db").summary == (
        "db is DOWN since 12:00:00Z: cannot connect to 127.0.0.1:1: connection refused"
    )


def test_a_check_that_goes_down_at_once_fires_without_pending(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.fail("db")
    evaluation = w.evaluate()
    assert moves(evaluation) == [("db", "firing")]
    assert w.alert("db").severity == "critical"


def test_a_pending_alert_that_recovers_never_fires(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.fail("api")
    w.evaluate()
    w.later().succeed("api")
    evaluation = w.evaluate()
    assert moves(evaluation) == []  # cleared: nobody was told, so no all-clear either
    (cleared,) = evaluation.alerts
    assert cleared.state == "resolved"
    assert cleared.firing_since is None
    assert cleared.summary == "api recovered before going DOWN"
    assert w.current == {}


def test_a_firing_alert_resolves_when_the_check_is_up_again(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.fail("api")
    w.fail("api")
    w.evaluate()
    w.later().succeed("api")
    evaluation = w.evaluate()
    assert moves(evaluation) == [("api", "resolved")]
    (resolved,) = evaluation.alerts
    assert resolved.resolved_at == w.now
    assert resolved.summary == "api is UP again (was DOWN since 12:00:00Z)"
    assert resolved.details["failed"] == [{"expect": "status < 400", "values": {"status": 503}}]


def test_a_down_check_stays_firing_until_it_has_recovered(tmp_path: Path) -> None:
    w = World(
        load(
            tmp_path,
            "checks: [{name: api, http: {url: 'http://x/'}, fail_after: 1, recover_after: 2}]\n",
        )
    )
    w.fail("api")
    w.evaluate()
    w.later().succeed("api")
    assert moves(w.evaluate()) == []
    assert w.alert("api").state == "firing"
    w.later().succeed("api")
    assert moves(w.evaluate()) == [("api", "resolved")]


def test_evaluating_again_without_news_changes_nothing(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.fail("api", "db")
    w.evaluate()
    again = w.later().evaluate()
    assert again.alerts == ()
    assert again.events == ()


def test_a_check_without_a_status_keeps_its_alert(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.fail("db")
    w.evaluate()
    w.statuses.clear()  # e.g. the scheduler has not loaded it yet
    assert w.later().evaluate().events == ()
    assert w.alert("db").state == "firing"


def test_an_alert_removed_from_the_config_resolves(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.fail("db")
    w.evaluate()
    w.config = load(tmp_path, "checks: [{name: api, http: {url: 'http://x/'}}]\n", "other.yaml")
    evaluation = w.later().evaluate()
    assert moves(evaluation) == [("db", "resolved")]
    assert evaluation.events[0].payload["reason"] == "removed"
    assert evaluation.alerts[0].summary == "db is no longer in the configuration"


def test_a_new_episode_starts_unacknowledged(tmp_path: Path) -> None:
    from dataclasses import replace

    w = world(tmp_path)
    w.fail("db")
    w.evaluate()
    fp = w.alert("db").fingerprint
    w.current[fp] = replace(w.current[fp], acknowledged_by="alice", acknowledged_at=w.now)
    w.later().fail("db")
    w.evaluate()
    assert w.alert("db").acknowledged_by == "alice"  # kept while it fires
    w.later().succeed("db")
    (resolved,) = w.evaluate().alerts
    assert resolved.acknowledged_by is None
    w.later().fail("db")
    evaluation = w.evaluate()
    assert fp in evaluation.opened
    assert w.alert("db").acknowledged_by is None


def test_the_payload_is_json_and_names_everything(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.fail("db")
    (event,) = w.evaluate().events
    assert json.loads(json.dumps(event.payload)) == event.payload
    assert set(event.payload) == {
        "fingerprint",
        "name",
        "rule",
        "check",
        "component",
        "severity",
        "labels",
        "state",
        "since",
        "started_at",
        "summary",
        "details",
        "runbook",
        "silenced_by",
        "inhibited_by",
        "affected",
        "acknowledged_by",
        "reason",
    }
    assert event.at == NOW


def test_evaluate_reads_no_clock_but_now(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.fail("db")
    first = evaluate(w.config, w.statuses, w.latest, {}, [], NOW)
    second = evaluate(w.config, w.statuses, w.latest, {}, [], NOW)
    assert first == second
