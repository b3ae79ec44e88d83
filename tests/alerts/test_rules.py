"""``alerts:`` rules on a check: a CEL condition over its fields, held for ``for``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from golive.alerts import alert_specs, unsupported_rules
from tests.devkit.alerts import NOW, World, load, moves

CONFIG = """
components: [{name: API}]
checks:
  - name: api
    component: API
    http: {url: "http://127.0.0.1:1/health"}
    labels: {team: web}
    runbook: https://runbooks.example/api
metrics:
  - {name: edge, access_log: {path: /tmp/access.log}}
slos:
  - {name: availability, objective: 99.9%, sli: {check: api}}
alerts:
  - name: slow-api
    check: api
    when: latency_ms > 500
    for: 2m
    severity: medium
    labels: {tier: "1"}
  - name: api-errors
    check: api
    when: json.errors > 10
  - name: high-error-rate
    requests: edge
    when: error_rate > 0.01
    over: 5m
  - name: availability-burn
    slo: availability
    burn_rate: multiwindow
"""


def world(tmp_path: Path) -> World:
    return World(load(tmp_path, CONFIG))


def test_a_rule_fires_only_after_for(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.succeed("api", latency_ms=900.0)
    assert moves(w.evaluate()) == [("slow-api", "pending")]
    assert w.alert("slow-api").summary == (
        "slow-api on api pending since 12:00:00Z (fires after 2m): latency_ms > 500 → latency_ms = 900.0"
    )
    w.later().succeed("api", latency_ms=800.0)
    assert moves(w.evaluate()) == []
    w.later().succeed("api", latency_ms=700.0)
    assert moves(w.evaluate()) == [("slow-api", "firing")]
    alert = w.alert("slow-api")
    assert (alert.pending_since, alert.firing_since) == (NOW, NOW + timedelta(minutes=2))
    assert alert.summary == "slow-api on api since 12:02:00Z: latency_ms > 500 → latency_ms = 700.0"
    assert alert.details["values"] == {"latency_ms": 700.0}
    assert alert.details["failed"] == [
        {"expect": "latency_ms > 500", "values": {"latency_ms": 700.0}}
    ]


def test_a_rule_without_for_fires_at_once(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.succeed("api", json={"errors": 12})
    assert moves(w.evaluate()) == [("api-errors", "firing")]


def test_a_rule_needs_a_newer_result_to_fire_not_just_time(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.succeed("api", latency_ms=900.0)
    w.evaluate()
    assert moves(w.later(timedelta(minutes=10)).evaluate()) == []
    assert w.alert("slow-api").state == "pending"


def test_a_rule_that_stops_holding_resolves_or_clears(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.succeed("api", latency_ms=900.0, json={"errors": 12})
    w.evaluate()
    w.later().succeed("api", latency_ms=20.0, json={"errors": 0})
    evaluation = w.evaluate()
    assert moves(evaluation) == [("api-errors", "resolved")]  # slow-api only cleared
    summaries = {a.name: a.summary for a in evaluation.alerts}
    assert summaries == {
        "slow-api": "slow-api on api no longer holds: latency_ms > 500 → latency_ms = 20.0",
        "api-errors": "api-errors on api no longer holds: json.errors > 10 → json.errors = 0",
    }


def test_a_condition_that_cannot_be_evaluated_counts_as_false_and_says_why(
    tmp_path: Path,
) -> None:
    w = world(tmp_path)
    w.succeed("api", json={"errors": 12})
    w.evaluate()
    w.later().succeed("api", json=None)
    evaluation = w.evaluate()
    assert moves(evaluation) == [("api-errors", "resolved")]
    (resolved,) = evaluation.alerts
    assert resolved.details["error"].startswith("cannot evaluate")
    assert resolved.summary.startswith("api-errors on api cannot be evaluated: cannot evaluate")
    assert evaluation.problems == (f"alerts[api-errors].when on api: {resolved.details['error']}",)


def test_rule_alerts_take_labels_component_and_runbook_from_their_check(tmp_path: Path) -> None:
    specs = {s.name: s for s in alert_specs(load(tmp_path, CONFIG))}
    slow = specs["slow-api"]
    assert (slow.rule, slow.check, slow.component, slow.severity) == (
        "slow-api",
        "api",
        "API",
        "medium",
    )
    assert slow.labels == {"team": "web", "tier": "1"}
    assert slow.runbook == "https://runbooks.example/api"
    assert set(specs) == {
        "api",
        "slow-api",
        "api-errors",
        "high-error-rate",
        "availability-burn-page",
        "availability-burn-ticket",
    }


def test_only_slo_rules_with_when_are_reported_as_unsupported(tmp_path: Path) -> None:
    assert unsupported_rules(load(tmp_path, CONFIG)) == []
    with_when = CONFIG + "  - {name: budget-low, slo: availability, when: remaining < 0.1}\n"
    assert unsupported_rules(load(tmp_path, with_when)) == [
        "budget-low: an SLO rule alerts on `burn_rate: multiwindow`; `when` on an SLO is not"
        " supported (slo: availability)",
    ]


def test_a_probe_that_could_not_measure_is_not_a_rule_problem(tmp_path: Path) -> None:
    w = world(tmp_path)
    w.succeed("api", json={"errors": 12})
    w.evaluate()
    w.later().fail("api", error="cannot connect to h:80: connection refused")
    evaluation = w.later().evaluate()
    assert ("api-errors", "resolved") in moves(evaluation)
    assert evaluation.problems == ()


def test_a_burn_alert_without_a_signal_is_left_as_it_is(tmp_path: Path) -> None:
    from golive.alerts import fingerprint
    from golive.records import AlertView

    w = world(tmp_path)
    labels = {"slo": "availability", "burn": "page"}
    page = AlertView(
        fingerprint("rule", "availability-burn-page", labels),
        "availability-burn-page",
        "availability-burn",
        None,
        None,
        "high",
        labels=labels,
        state="firing",
        firing_since=NOW,
    )
    w.current = {page.fingerprint: page}
    evaluation = w.evaluate()  # just after a restart: the SLO service has not measured yet
    assert evaluation.alerts == ()
    assert w.current == {page.fingerprint: page}
