"""The event payload read once into a typed value, and planning steps that return results."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import UTC, datetime

import pytest

from golive.clock import ManualClock
from golive.notify import PlanStats, plan
from golive.records import AlertPayload
from golive.store import Store
from tests.devkit.notify import Alerts, make_config, minutes, outbox_rows

SLACK = "json://127.0.0.1:9/slack"


def test_a_stored_payload_is_read_into_typed_fields() -> None:
    payload = AlertPayload.from_json(
        {
            "name": "api-health",
            "check": "api-health",
            "severity": "high",
            "labels": {"team": "payments", "tier": 1},
            "since": "2026-03-02T09:00:00",
            "started_at": "2026-03-02T08:59:30+00:00",
            "silenced_by": "silence:4",
            "affected": ["web", "worker"],
            "reason": "",
        },
        fingerprint="f1",
    )

    assert payload.fingerprint == "f1"
    assert payload.labels == {"team": "payments", "tier": "1"}
    assert payload.since == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert payload.started_at == datetime(2026, 3, 2, 8, 59, 30, tzinfo=UTC)
    assert payload.affected == ("web", "worker")
    assert payload.reason is None
    assert payload.held == "silenced"


def test_missing_or_mistyped_keys_take_their_defaults() -> None:
    payload = AlertPayload.from_json(
        {"labels": ["not", "a", "mapping"], "details": "text", "since": "yesterday"},
        fingerprint="f2",
    )

    assert (payload.labels, payload.details, payload.since) == ({}, {}, None)
    assert payload.held is None
    assert (payload.silenced_by, payload.inhibited_by, payload.affected) == (None, None, ())


def test_an_inhibited_alert_is_held_and_routing_reads_fields_then_labels() -> None:
    payload = AlertPayload(
        fingerprint="f3",
        name="api-health",
        component="API",
        labels={"team": "payments", "severity": "ignored"},
        severity="critical",
        inhibited_by="postgres",
    )

    assert payload.held == "inhibited"
    assert payload.value_of("alert") == payload.value_of("name") == "api-health"
    assert payload.value_of("severity") == "critical"  # a field wins over a label
    assert payload.value_of("team") == "payments"
    assert payload.value_of("check") is None and payload.value_of("region") is None


def test_plan_results_are_values_added_up_not_an_accumulator() -> None:
    first = PlanStats(skipped={"silenced": 1}, notifications=2, errors=("a",))
    second = PlanStats(skipped={"silenced": 2, "pending": 1}, raced=1, errors=("b",))

    total = first + second

    assert total == PlanStats(
        skipped={"silenced": 3, "pending": 1}, notifications=2, raced=1, errors=("a", "b")
    )
    assert first.skipped == {"silenced": 1}  # the parts are unchanged
    with pytest.raises(FrozenInstanceError):
        first.held = 3  # type: ignore[misc]


def test_one_plan_adds_up_its_skip_group_digest_and_repeat_steps(
    store: Store, clock: ManualClock, alerts: Alerts
) -> None:
    config = make_config(
        {"slack": SLACK},
        [
            {"match": {"severity": "low"}, "to": ["slack"], "digest": "daily"},
            {"match": {}, "to": ["slack"]},
        ],
        group_wait="0s",
        repeat_every="1h",
    )
    told = alerts.fire("postgres", clock.now() - minutes(5))
    assert plan(store, config, clock.now() - minutes(5)).messages == 1
    alerts.fire("quiet", clock.now(), severity="low")
    alerts.fire("muted", clock.now(), silenced_by="silence:1")
    api = alerts.fire("api-health", clock.now())
    clock.advance(minutes(61))

    stats = plan(store, config, clock.now())

    assert stats == PlanStats(
        events=3,
        skipped={"silenced": 1},
        held=1,  # the digest waits for 08:00 tomorrow
        messages=1,
        repeats=1,
        notifications=2,
    )
    rows = [(row.kind, row.payload["alerts"], row.payload["type"]) for row in outbox_rows(store)]
    assert rows == [
        ("alert", [told], "failure"),
        ("alert", [api], "failure"),
        ("repeat", [told], "warning"),
    ]
