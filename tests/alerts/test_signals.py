"""``requests:`` rules: judged on the signal the metrics service computes over ``over:``,
through the same states, silences and events as a rule on a check."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from golive.alerts import alert_specs
from golive.store import Store
from tests.devkit.alerts import NOW, World, load, moves

CONFIG = """
checks:
  - {name: api, http: {url: "http://127.0.0.1:1/health"}}
metrics:
  - {name: edge, access_log: {path: /tmp/access.log}}
alerts:
  - name: high-error-rate
    requests: edge
    when: error_rate > 0.01
    over: 5m
    for: 2m
    labels: {team: web}
    runbook: https://runbooks.example/errors
  - name: slow
    requests: edge
    when: p95_ms > 2000
"""


def world(tmp_path: Path) -> World:
    return World(load(tmp_path, CONFIG))


def test_a_requests_rule_is_an_alert_spec_without_a_check(tmp_path: Path) -> None:
    specs = {s.name: s for s in alert_specs(load(tmp_path, CONFIG))}
    rule = specs["high-error-rate"]
    assert (rule.check, rule.requests, rule.over, rule.for_) == (
        None,
        "edge",
        timedelta(minutes=5),
        timedelta(minutes=2),
    )
    assert rule.labels == {"team": "web"}
    assert specs["slow"].over == timedelta(minutes=5)  # the default window


def test_a_requests_rule_goes_pending_then_firing_after_for_then_resolves(
    tmp_path: Path,
) -> None:
    w = world(tmp_path)
    w.signal("high-error-rate", error_rate=0.05)
    assert moves(w.evaluate()) == [("high-error-rate", "pending")]
    assert w.alert("high-error-rate").summary == (
        "high-error-rate on edge pending since 12:00:00Z (fires after 2m): "
        "error_rate > 0.01 → error_rate = 0.05"
    )
    w.later()
    assert moves(w.evaluate()) == []  # the same signal again decides nothing new
    w.signal("high-error-rate", error_rate=0.04)
    assert moves(w.evaluate()) == []
    w.later().signal("high-error-rate", error_rate=0.03)
    assert moves(w.evaluate()) == [("high-error-rate", "firing")]
    alert = w.alert("high-error-rate")
    assert (alert.pending_since, alert.firing_since) == (NOW, NOW + timedelta(minutes=2))
    assert alert.check is None
    assert alert.details["values"] == {"error_rate": 0.03}
    w.later().signal("high-error-rate", error_rate=0.0)
    assert moves(w.evaluate()) == [("high-error-rate", "resolved")]


def test_no_signal_leaves_the_alert_as_it_is(tmp_path: Path) -> None:
    w = world(tmp_path)
    assert moves(w.evaluate()) == []
    w.signal("slow", p95_ms=2500.0)
    assert moves(w.evaluate()) == [("slow", "firing")]  # for: 0
    w.signals.clear()  # e.g. just after a restart
    assert moves(w.later().evaluate()) == []
    assert w.alert("slow").state == "firing"


def test_a_source_that_cannot_measure_resolves_the_alert_with_its_error(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.signal("slow", p95_ms=2500.0)
    w.evaluate()
    w.later().signal("slow", error="edge: /var/log/x.log: no such file")
    evaluation = w.evaluate()
    assert moves(evaluation) == [("slow", "resolved")]
    (resolved,) = evaluation.alerts
    assert (
        resolved.summary == "slow on edge cannot be evaluated: edge: /var/log/x.log: no such file"
    )
    assert resolved.details["error"] == "edge: /var/log/x.log: no such file"
    assert evaluation.problems == ()


def test_a_window_without_requests_is_not_a_problem_for_a_rate_rule(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.signal("high-error-rate", error_rate=0.0, count=0.0)
    assert moves(w.evaluate()) == []
    assert w.evaluate().problems == ()


def test_a_silenced_requests_alert_still_changes_state_but_its_events_say_silenced(
    tmp_path: Path,
) -> None:
    w = world(tmp_path)
    silence = w.silence({"labels": {"team": "web"}})
    w.signal("high-error-rate", error_rate=0.5)
    w.evaluate()
    w.later(timedelta(minutes=3)).signal("high-error-rate", error_rate=0.5)
    (event,) = w.evaluate().events
    assert event.transition == "firing"
    assert event.payload["silenced_by"] == f"silence:{silence.id}"


def test_requests_alerts_are_stored_like_any_other(tmp_path: Path, store: Store) -> None:
    w = World(load(tmp_path, CONFIG), store=store)
    w.signal("slow", p95_ms=3000.0)
    w.evaluate()
    stored = [a for a in w.current.values() if a.name == "slow"]
    assert [(a.state, a.rule, a.check) for a in stored] == [("firing", "slow", None)]
    assert w.events[-1].payload["runbook"] is None
