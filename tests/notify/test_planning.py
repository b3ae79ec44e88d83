"""Planning: routes, groups, skips, resolved messages and repeats, on a clock the tests move."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from devkit.receivers import WebhookReceiver
from golive.clock import ManualClock
from golive.config.secrets import Secrets
from golive.notify import deliver_due, plan
from golive.store import Store
from golive.store.tables_monitor import AlertEvent
from tests.devkit.notify import Alerts, make_config, minutes, outbox_rows

SLACK = "json://127.0.0.1:9/slack"
PAGER = "json://127.0.0.1:9/pager"


def test_events_of_one_component_within_group_wait_make_one_message(
    store: Store, clock: ManualClock, alerts: Alerts
) -> None:
    config = make_config({"slack": SLACK}, [{"match": {}, "to": ["slack"]}], group_wait="30s")
    t0 = clock.now()
    alerts.fire("pg-primary", t0, component="Database")
    alerts.fire("pg-replica", t0 + timedelta(seconds=5), component="Database")
    alerts.fire("api-health", t0 + timedelta(seconds=6), component="API")

    clock.advance(timedelta(seconds=10))
    early = plan(store, config, clock.now())
    clock.set(t0 + timedelta(seconds=30))
    database = plan(store, config, clock.now())
    clock.set(t0 + timedelta(seconds=36))
    api = plan(store, config, clock.now())

    assert (early.notifications, early.held) == (0, 3)
    assert (database.messages, database.held) == (1, 1)
    assert api.messages == 1
    first, second = outbox_rows(store)
    assert first.title == "[FIRING 2] component Database: pg-primary, pg-replica"
    assert "FIRING: pg-primary" in first.body and "FIRING: pg-replica" in first.body
    assert first.group_key == "route1:component=Database"
    assert second.title.startswith("[FIRING] api-health")
    assert alerts.unrouted() == 0


def test_unflushed_groups_survive_a_restart(
    store: Store, clock: ManualClock, alerts: Alerts
) -> None:
    config = make_config({"slack": SLACK}, [{"match": {}, "to": ["slack"]}], group_wait="1m")
    alerts.fire("api-health", clock.now())
    assert plan(store, config, clock.now()).held == 1
    reopened = Store.open(store.engine.url.render_as_string(hide_password=False))
    clock.advance(minutes(1))
    assert plan(reopened, config, clock.now()).notifications == 1
    reopened.close()


def test_planning_twice_inserts_nothing_new(
    store: Store, clock: ManualClock, alerts: Alerts
) -> None:
    config = make_config(
        {"slack": SLACK, "pager": PAGER}, [{"match": {}, "to": ["slack", "pager"]}], group_wait=0
    )
    alerts.fire("api-health", clock.now())
    alerts.fire("payments", clock.now())
    first = plan(store, config, clock.now())
    again = plan(store, config, clock.now())
    with store.engine.begin() as connection:  # a replay: as if the cursor had not moved
        connection.execute(update(AlertEvent).values(routed_at=None))
    replay = plan(store, config, clock.now())

    assert first.notifications == 2  # one message, two channels
    assert again.events == 0 and again.notifications == 0
    assert replay.events == 2 and replay.notifications == 0
    assert len(outbox_rows(store)) == 2


def test_silenced_and_inhibited_events_are_not_sent(
    store: Store, clock: ManualClock, alerts: Alerts
) -> None:
    config = make_config({"slack": SLACK}, [{"match": {}, "to": ["slack"]}], group_wait=0)
    alerts.fire("api-health", clock.now(), silenced_by="maintenance:nightly")
    alerts.fire("payments", clock.now(), inhibited_by="postgres")
    fingerprint = alerts.fire("redis", clock.now(), severity="low")
    alerts.event(fingerprint, "pending", clock.now())

    stats = plan(store, config, clock.now())

    assert stats.skipped == {"silenced": 1, "inhibited": 1, "pending": 1}
    assert stats.notifications == 1  # redis's firing event only
    [row] = outbox_rows(store)
    assert row.title.startswith("[FIRING] redis")
    assert alerts.unrouted() == 0


def test_resolved_is_sent_only_for_notified_alerts(
    store: Store, clock: ManualClock, alerts: Alerts
) -> None:
    config = make_config({"slack": SLACK}, [{"match": {}, "to": ["slack"]}], group_by=["check"])
    t0 = clock.now()
    told = alerts.fire("api-health", t0)
    clock.advance(timedelta(seconds=10))
    plan(store, config, clock.now())  # api-health is told
    brief = alerts.fire("flappy", clock.now())  # fires and resolves within group_wait
    hushed = alerts.fire("nightly", clock.now(), silenced_by="maintenance:nightly")
    clock.advance(minutes(12) - timedelta(seconds=10))
    alerts.resolve(told, clock.now())
    alerts.resolve(brief, clock.now() - timedelta(seconds=5))
    alerts.resolve(hushed, clock.now())
    clock.advance(timedelta(seconds=10))

    stats = plan(store, config, clock.now())

    assert stats.skipped == {"silenced": 1, "resolved, never notified": 2}
    told_firing, resolved = outbox_rows(store)
    assert told_firing.kind == "alert"
    assert resolved.kind == "resolved"
    assert resolved.title == "[RESOLVED] api-health: api-health is failing"
    assert "Lasted 12m: firing since 2026-03-02 09:00 UTC, resolved 2026-03-02 09:12 UTC" in (
        resolved.body
    )
    assert resolved.payload["type"] == "success"


def test_an_alert_that_fires_again_is_resolved_only_when_told_again(
    store: Store, clock: ManualClock, alerts: Alerts
) -> None:
    config = make_config({"slack": SLACK}, [{"match": {}, "to": ["slack"]}], group_wait=0)
    fingerprint = alerts.fire("api-health", clock.now())
    plan(store, config, clock.now())
    clock.advance(minutes(5))
    alerts.resolve(fingerprint, clock.now())
    plan(store, config, clock.now())  # told: fired, then resolved
    clock.advance(minutes(5))
    alerts.fire("api-health", clock.now(), silenced_by="silence:7")  # second episode, silenced
    clock.advance(minutes(5))
    alerts.resolve(fingerprint, clock.now())

    stats = plan(store, config, clock.now())

    assert stats.skipped == {"silenced": 1, "resolved, never notified": 1}
    assert [row.kind for row in outbox_rows(store)] == ["alert", "resolved"]


def test_repeat_every_renotifies_unacknowledged_alerts(
    store: Store, clock: ManualClock, alerts: Alerts
) -> None:
    config = make_config(
        {"slack": SLACK},
        [{"match": {}, "to": ["slack"], "repeat_every": "1h"}],
        group_by=["check"],
        group_wait=0,
    )
    loud = alerts.fire("api-health", clock.now())
    quiet = alerts.fire("payments", clock.now())
    plan(store, config, clock.now())
    alerts.acknowledge(quiet, "alice", clock.now())

    clock.advance(minutes(59))
    assert plan(store, config, clock.now()).repeats == 0
    clock.advance(minutes(1))
    first = plan(store, config, clock.now())
    again = plan(store, config, clock.now())
    clock.advance(timedelta(days=3))  # the clock leaps: one repeat, not seventy-two
    leap = plan(store, config, clock.now())

    assert (first.repeats, again.repeats, leap.repeats) == (1, 0, 1)
    repeats = [row for row in outbox_rows(store) if row.kind == "repeat"]
    assert [row.title for row in repeats] == [
        "[STILL FIRING] api-health: api-health is failing"
    ] * 2
    assert "Since: 2026-03-02 09:00 UTC (1h ago)" in repeats[0].body
    assert alerts.last_notified(loud) == clock.now()
    assert repeats[0].payload["type"] == "warning"


def test_resolved_alerts_do_not_repeat(store: Store, clock: ManualClock, alerts: Alerts) -> None:
    config = make_config({"slack": SLACK}, [{"match": {}, "to": ["slack"]}], group_wait=0)
    fingerprint = alerts.fire("api-health", clock.now())
    plan(store, config, clock.now())
    clock.advance(minutes(30))
    alerts.resolve(fingerprint, clock.now())
    plan(store, config, clock.now())
    clock.advance(timedelta(hours=10))
    assert plan(store, config, clock.now()).repeats == 0


def test_routes_match_first_by_severity_and_labels(
    store: Store, clock: ManualClock, alerts: Alerts
) -> None:
    config = make_config(
        {"slack": SLACK, "pager": PAGER, "payments-team": "json://127.0.0.1:9/pay"},
        [
            {"match": {"severity": "critical", "team": "payments"}, "to": ["payments-team"]},
            {"match": {"severity": ["critical", "high"]}, "to": ["pager"]},
            {"match": {"component": "API"}, "to": ["slack"]},
        ],
        group_by=["check"],
        group_wait=0,
    )
    alerts.fire("checkout", clock.now(), severity="critical", labels={"team": "payments"})
    alerts.fire("postgres", clock.now(), severity="critical", labels={"team": "data"})
    alerts.fire("api-latency", clock.now(), severity="medium", component="API")
    alerts.fire("disk", clock.now(), severity="low", component="Host")

    stats = plan(store, config, clock.now())

    sent = {row.title.split(":")[0]: row.channel for row in outbox_rows(store)}
    assert sent == {
        "[FIRING] checkout": "payments-team",
        "[FIRING] postgres": "pager",
        "[FIRING] api-latency": "slack",
    }
    assert stats.skipped == {"no route matches": 1}


async def test_escalation_routes_still_notify_their_channels(
    store: Store, clock: ManualClock, alerts: Alerts, webhook: WebhookReceiver
) -> None:
    config = make_config(
        {"ops-slack": webhook.url()},
        [
            {"match": {"severity": "critical"}, "escalation": "primary", "to": ["ops-slack"]},
            {"match": {"severity": "high"}, "escalation": "primary"},
        ],
        group_wait=0,
    )
    alerts.fire("postgres", clock.now(), severity="critical")
    alerts.fire("api-health", clock.now(), severity="high")

    stats = plan(store, config, clock.now())
    delivered = await deliver_due(store, config, Secrets(), clock.now())

    assert stats.escalations == 2
    assert stats.skipped == {"escalation only (the incident's escalation pages)": 1}
    assert delivered.delivered == 1
    assert webhook.requests[0].body["title"].startswith("[FIRING] postgres")


def test_a_clock_that_jumps_back_does_not_hold_alerts(
    store: Store, clock: ManualClock, alerts: Alerts
) -> None:
    config = make_config({"slack": SLACK}, [{"match": {}, "to": ["slack"]}], group_wait="30s")
    alerts.fire("api-health", clock.now())
    clock.set(clock.now() - timedelta(hours=1))  # NTP steps the clock back an hour
    assert plan(store, config, clock.now()).notifications == 1
