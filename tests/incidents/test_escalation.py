"""Escalation with a clock the tests move: steps at the right times, repeat rounds, an ack
stopping it at once, a step never fired twice; pages reach a real webhook receiver."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from devkit.receivers import WebhookReceiver
from golive.clock import ManualClock
from golive.config.root import ConfigBase
from golive.config.secrets import Secrets
from golive.incidents.escalation import escalate_due, first_in_rotation
from golive.incidents.lifecycle import act, get_incident
from golive.incidents.timeline import read
from golive.incidents.watch import watch
from golive.notify import deliver_due
from golive.serve.incidents import resolver
from golive.store import Store
from tests.devkit.notify import Alerts, outbox_rows
from tests.incidents.conftest import oncall_config


def tick(store: Store, config: ConfigBase, clock: ManualClock) -> list[str]:
    """One watch; the outbox channels it wrote to."""
    before = len(outbox_rows(store))
    watch(store, config, clock.now(), resolver=first_in_rotation(config.oncall))
    return [row.channel for row in outbox_rows(store)[before:]]


def test_a_critical_alert_opens_an_incident_and_pages_whoever_is_on_call(
    store: Store, clock: ManualClock, alerts: Alerts, config: ConfigBase
) -> None:
    alerts.fire("postgres", clock.now(), severity="critical", component="Database")

    assert tick(store, config, clock) == ["person:alice#0"]

    incident = get_incident(store, 1)
    assert (incident.severity, incident.state, incident.component) == (
        "SEV1",
        "triggered",
        "Database",
    )
    assert incident.public  # SEV1 comes from critical alerts: shown on /status by itself
    assert incident.respond_by == clock.now() + timedelta(minutes=5)
    entries = read(store, 1)
    assert [e.kind for e in entries] == [
        "opened",
        "status_update",
        "alert_firing",
        "escalation_step",
    ]
    # what users read names the component, not the alert's error text
    assert incident.title == "postgres failing (Database)"
    assert entries[1].message == "We are investigating a problem with Database."


def test_an_alert_of_the_same_group_joins_the_open_incident(
    store: Store, clock: ManualClock, alerts: Alerts, config: ConfigBase
) -> None:
    alerts.fire("postgres", clock.now(), severity="critical", component="Database")
    tick(store, config, clock)
    clock.advance(30)
    alerts.fire("postgres-replica", clock.now(), severity="high", component="Database")
    alerts.fire("api", clock.now(), severity="high", component="API")

    tick(store, config, clock)

    entries = read(store, 1)
    assert [e.message for e in entries if e.kind == "alert_firing"] == [
        "alert postgres firing: postgres is failing",
        "alert postgres-replica firing: postgres-replica is failing",
    ]
    assert get_incident(store, 2).component == "API"


def test_a_low_alert_opens_no_incident(
    store: Store, clock: ManualClock, alerts: Alerts, config: ConfigBase
) -> None:
    alerts.fire("disk", clock.now(), severity="low")

    assert tick(store, config, clock) == []
    assert outbox_rows(store) == []


def test_nobody_answering_escalates_at_the_right_times_and_repeats_then_stops(
    store: Store, clock: ManualClock, alerts: Alerts, webhook: WebhookReceiver
) -> None:
    late = {"SEV1": {"from": "critical", "respond_within": "1d"}}  # no breach notice meanwhile
    config = oncall_config(webhook, incidents={"severities": late})
    alerts.fire("postgres", clock.now(), severity="critical")
    assert tick(store, config, clock) == ["person:alice#0"]
    clock.advance(timedelta(minutes=5) - timedelta(seconds=1))
    assert tick(store, config, clock) == []
    clock.advance(1)
    assert tick(store, config, clock) == ["person:bob#0", "ops-hook"]
    clock.advance(timedelta(minutes=10) - timedelta(seconds=1))
    assert tick(store, config, clock) == []
    clock.advance(1)  # round 2
    assert tick(store, config, clock) == ["person:alice#0"]
    clock.advance(timedelta(minutes=5))
    assert tick(store, config, clock) == ["person:bob#0", "ops-hook"]
    clock.advance(timedelta(minutes=10))
    assert tick(store, config, clock) == []
    clock.advance(timedelta(hours=5))
    assert tick(store, config, clock) == []

    steps = [e.message for e in read(store, 1) if e.kind.startswith("escalation")]
    assert steps == [
        "escalation default round 1 step 1: paged alice; next in 0:05:00",
        "escalation default round 1 step 2: paged bob, channel:ops-hook; next in 0:10:00",
        "escalation default round 2 step 1: paged alice; next in 0:05:00",
        "escalation default round 2 step 2: paged bob, channel:ops-hook",
        "escalation default: every step of 2 round(s) notified and nobody acknowledged",
    ]


def test_an_acknowledgement_stops_escalation_at_once_and_cancels_unsent_pages(
    store: Store, clock: ManualClock, alerts: Alerts, config: ConfigBase
) -> None:
    alerts.fire("postgres", clock.now(), severity="critical")
    tick(store, config, clock)
    clock.advance(timedelta(minutes=1))

    act(store, 1, "acknowledge", at=clock.now(), actor="alice")

    [page] = outbox_rows(store)
    assert (page.status, page.last_error) == ("failed", "not sent: acknowledged by alice")
    clock.advance(timedelta(hours=1))
    assert tick(store, config, clock) == []
    incident = get_incident(store, 1)
    assert incident.time_to_acknowledge == 60.0
    assert "escalation stopped: acknowledged by alice" in [e.message for e in read(store, 1)]


def test_resolving_stops_escalation(
    store: Store, clock: ManualClock, alerts: Alerts, config: ConfigBase
) -> None:
    alerts.fire("postgres", clock.now(), severity="critical")
    tick(store, config, clock)

    act(store, 1, "resolve", at=clock.now(), actor="alice")

    clock.advance(timedelta(hours=1))
    assert tick(store, config, clock) == []


def test_two_watchers_at_once_fire_each_step_once(
    store: Store, clock: ManualClock, alerts: Alerts, config: ConfigBase
) -> None:
    alerts.fire("postgres", clock.now(), severity="critical")
    tick(store, config, clock)
    clock.advance(timedelta(minutes=5))
    resolver = first_in_rotation(config.oncall)

    with ThreadPoolExecutor(4) as pool:
        runs = list(
            pool.map(
                lambda _: escalate_due(store, config, clock.now(), resolver=resolver), range(4)
            )
        )

    assert sum(run.fired for run in runs) == 1
    assert [row.channel for row in outbox_rows(store)] == [
        "person:alice#0",
        "person:bob#0",
        "ops-hook",
    ]


def test_a_missed_response_target_is_flagged_and_notified(
    store: Store, clock: ManualClock, alerts: Alerts, config: ConfigBase
) -> None:
    alerts.fire("api", clock.now(), severity="high")  # SEV2: 15 minutes
    tick(store, config, clock)
    clock.advance(timedelta(minutes=15))

    written = tick(store, config, clock)

    assert "ops-hook" in written
    incident = get_incident(store, 1)
    assert incident.breached_at == clock.now()
    assert [e.kind for e in read(store, 1)].count("target_breached") == 1
    clock.advance(60)
    tick(store, config, clock)
    assert [e.kind for e in read(store, 1)].count("target_breached") == 1


async def test_pages_reach_the_person_with_links_and_the_timeline_tells_delivery(
    store: Store, clock: ManualClock, alerts: Alerts, webhook: WebhookReceiver
) -> None:
    config = oncall_config(webhook, repeat=0)
    alerts.fire("postgres", clock.now(), severity="critical")
    tick(store, config, clock)

    stats = await deliver_due(store, config, Secrets(), clock.now())
    tick(store, config, clock)

    assert stats.delivered == 1
    [request] = webhook.requests
    assert request.path == "/alice"
    assert request.body["title"] == "[SEV1] #1 postgres failing (API)"
    links = re.findall(r"https://status\.example\.com/i/\S+", request.body["message"])
    assert len(links) == 2
    assert "notification_delivered" in [e.kind for e in read(store, 1)]


def test_golive_serve_pages_whoever_the_schedule_has_on_call(
    store: Store, clock: ManualClock, alerts: Alerts, config: ConfigBase
) -> None:
    clock.advance(timedelta(weeks=1, hours=1))  # bob's week of the alice/bob rotation
    alerts.fire("postgres", clock.now(), severity="critical")

    watch(store, config, clock.now(), resolver=resolver(config))

    assert [row.channel for row in outbox_rows(store)] == ["person:bob#0"]
