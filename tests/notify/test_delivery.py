"""Delivery through the outbox to real receivers: once, retried, failed, after a crash."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from devkit.receivers import SmtpReceiver, WebhookReceiver
from golive.clock import ManualClock
from golive.config.root import ConfigBase
from golive.config.secrets import Secrets
from golive.notify import DeliveryStats, Outcome, deliver_due, plan
from golive.notify.deliver import GIVE_UP_AFTER
from golive.store import Store, normalise_url, outbox
from tests.devkit.notify import Alerts, make_config, minutes, outbox_rows

SEND_TIMEOUT = timedelta(seconds=3)


def to_webhook(webhook: WebhookReceiver, **notify: Any) -> ConfigBase:
    return make_config(
        {"ops-hook": webhook.url()}, [{"match": {}, "to": ["ops-hook"]}], group_wait="0s", **notify
    )


async def deliver(store: Store, config: ConfigBase, clock: ManualClock) -> DeliveryStats:
    return await deliver_due(store, config, Secrets(), clock.now(), send_timeout=SEND_TIMEOUT)


async def test_a_firing_event_reaches_the_webhook_once(
    store: Store, clock: ManualClock, alerts: Alerts, webhook: WebhookReceiver
) -> None:
    config = to_webhook(webhook)
    alerts.fire("api-health", clock.now())
    assert plan(store, config, clock.now()).notifications == 1

    stats = await deliver(store, config, clock)
    assert (stats.claimed, stats.delivered) == (1, 1)
    clock.advance(minutes(5))
    assert plan(store, config, clock.now()).notifications == 0
    assert (await deliver(store, config, clock)).claimed == 0

    assert len(webhook.requests) == 1
    request = webhook.requests[0]
    [row] = outbox_rows(store)
    assert row.status == "delivered" and row.attempts == 1
    assert request.headers["X-Golive-Dedup-Key"] == row.dedup_key
    assert request.body["title"].startswith("[FIRING] api-health")
    assert request.body["type"] == "failure"


async def test_a_500_is_retried_with_backoff_and_then_delivered(
    store: Store, clock: ManualClock, alerts: Alerts, webhook: WebhookReceiver
) -> None:
    config = to_webhook(webhook)
    alerts.fire("api-health", clock.now())
    plan(store, config, clock.now())
    webhook.answer(500, 500)

    waits = []
    for _ in range(2):
        [outcome] = (await deliver(store, config, clock)).outcomes
        assert outcome.result == "retry" and not outcome.permanent
        assert outcome.reason is not None and outcome.reason.startswith("HTTP 500")
        assert outcome.retry_at is not None
        waits.append(outcome.retry_at - clock.now())
        assert (await deliver(store, config, clock)).claimed == 0  # not before its time
        clock.set(outcome.retry_at)
    [outcome] = (await deliver(store, config, clock)).outcomes

    assert outcome.result == "delivered" and outcome.attempts == 3
    assert timedelta(seconds=22) <= waits[0] <= timedelta(seconds=30)
    assert timedelta(seconds=45) <= waits[1] <= timedelta(seconds=60)
    keys = {r.headers["X-Golive-Dedup-Key"] for r in webhook.requests}
    assert len(webhook.requests) == 3 and len(keys) == 1
    [row] = outbox_rows(store)
    assert row.status == "delivered" and row.last_error is None


async def test_a_400_fails_at_once_with_the_reason(
    store: Store, clock: ManualClock, alerts: Alerts, webhook: WebhookReceiver
) -> None:
    config = to_webhook(webhook)
    alerts.fire("api-health", clock.now())
    plan(store, config, clock.now())
    webhook.answer(400)

    [outcome] = (await deliver(store, config, clock)).outcomes
    clock.advance(timedelta(hours=2))
    again = await deliver(store, config, clock)

    assert outcome.result == "failed" and outcome.permanent
    assert again.claimed == 0
    [row] = outbox_rows(store)
    assert row.status == "failed" and row.attempts == 1
    assert row.last_error.startswith("HTTP 400")
    assert "Bad Request" in row.last_error
    assert len(webhook.requests) == 1


async def test_retries_stop_after_24_hours(
    store: Store, clock: ManualClock, alerts: Alerts, webhook: WebhookReceiver
) -> None:
    config = to_webhook(webhook)
    alerts.fire("api-health", clock.now())
    plan(store, config, clock.now())
    created = clock.now()
    webhook.always(503)

    results: list[Outcome] = []
    while not results or results[-1].result == "retry":
        [outcome] = (await deliver(store, config, clock)).outcomes
        results.append(outcome)
        if outcome.retry_at is not None:
            clock.set(outcome.retry_at)

    last = results[-1]
    assert last.result == "failed" and not last.permanent
    assert clock.now() == created + GIVE_UP_AFTER  # the last try is at the deadline, no later
    assert last.reason is not None
    assert last.reason.startswith(f"gave up after {len(results)} attempts in 24h; last: HTTP 503")
    assert 25 <= len(results) <= 45  # 30 s doubling to 1 h, over a day
    clock.advance(timedelta(days=1))
    assert (await deliver(store, config, clock)).claimed == 0
    assert len(webhook.requests) == len(results)


async def test_a_row_claimed_by_a_crashed_sender_is_sent_after_its_lease(
    store: Store, clock: ManualClock, alerts: Alerts, webhook: WebhookReceiver
) -> None:
    config = to_webhook(webhook)
    alerts.fire("api-health", clock.now())
    plan(store, config, clock.now())
    with store.writing("crash") as connection:  # a sender claims it, then dies
        [row] = outbox.due(connection, clock.now(), 10)
        assert outbox.claim(connection, row, clock.now(), clock.now() + minutes(2))

    assert (await deliver(store, config, clock)).claimed == 0
    clock.advance(minutes(1))
    assert (await deliver(store, config, clock)).claimed == 0
    clock.advance(minutes(1) + timedelta(seconds=1))
    stats = await deliver(store, config, clock)

    assert stats.delivered == 1
    assert len(webhook.requests) == 1
    [row] = outbox_rows(store)
    assert row.status == "delivered" and row.attempts == 2


async def test_smtp_down_is_retried_not_lost(
    store: Store, clock: ManualClock, alerts: Alerts, smtp: SmtpReceiver
) -> None:
    config = make_config(
        {"ops-email": smtp.url()}, [{"match": {}, "to": ["ops-email"]}], group_wait="0s"
    )
    alerts.fire("postgres", clock.now(), component="Database")
    plan(store, config, clock.now())
    smtp.stop()

    [outcome] = (await deliver(store, config, clock)).outcomes
    assert outcome.result == "retry"
    assert outcome.reason is not None and "Connection refused" in outcome.reason
    [row] = outbox_rows(store)
    assert row.status == "pending" and "Connection refused" in row.last_error

    smtp.start()
    assert outcome.retry_at is not None
    clock.set(outcome.retry_at)
    stats = await deliver(store, config, clock)

    assert stats.delivered == 1
    [message] = smtp.messages
    assert message["Subject"].startswith("[FIRING] postgres")
    assert "FIRING: postgres" in SmtpReceiver.text(message)


async def test_a_refused_smtp_login_fails_at_once(
    store: Store, clock: ManualClock, alerts: Alerts, smtp: SmtpReceiver
) -> None:
    config = make_config(
        {"ops-email": smtp.url(password="not-the-password")},
        [{"match": {}, "to": ["ops-email"]}],
        group_wait="0s",
    )
    alerts.fire("postgres", clock.now())
    plan(store, config, clock.now())

    [outcome] = (await deliver(store, config, clock)).outcomes

    assert outcome.result == "failed" and outcome.permanent
    assert outcome.reason is not None and outcome.reason.startswith("SMTP 535 authentication")
    assert "not-the-password" not in outcome.reason
    assert smtp.messages == []


async def test_a_webhook_that_hangs_times_out_and_is_retried(
    store: Store, clock: ManualClock, alerts: Alerts, webhook: WebhookReceiver
) -> None:
    config = to_webhook(webhook)
    alerts.fire("api-health", clock.now())
    plan(store, config, clock.now())
    webhook.answer("hang")

    stats = await deliver_due(
        store, config, Secrets(), clock.now(), send_timeout=timedelta(seconds=1)
    )

    [outcome] = stats.outcomes
    assert outcome.result == "retry"
    assert outcome.reason is not None and outcome.reason.startswith("no answer within 1s")


async def test_an_unreachable_channel_is_retried(
    store: Store, clock: ManualClock, alerts: Alerts
) -> None:
    closed = make_config(
        {"gone": "json://127.0.0.1:9/hook"}, [{"match": {}, "to": ["gone"]}], group_wait="0s"
    )
    alerts.fire("api-health", clock.now())
    plan(store, closed, clock.now())

    [outcome] = (await deliver(store, closed, clock)).outcomes

    assert outcome.result == "retry"
    assert outcome.reason is not None and "Connection error" in outcome.reason


async def test_a_channel_apprise_cannot_use_fails_its_rows_with_the_reason(
    store: Store, clock: ManualClock, alerts: Alerts
) -> None:
    # an IP address as the mail host and no from=: Apprise derives an invalid sender
    bad = "mailto://golive:secret-pw@127.0.0.1:2525?to=ops@example.com"
    config = make_config({"ops-email": bad}, [{"match": {}, "to": ["ops-email"]}], group_wait=0)
    alerts.fire("api-health", clock.now())
    plan(store, config, clock.now())

    [outcome] = (await deliver(store, config, clock)).outcomes

    assert outcome.result == "failed" and outcome.permanent
    assert outcome.reason is not None
    assert outcome.reason.startswith("Apprise cannot use this URL: Invalid ~From~ email")


async def test_a_row_for_a_channel_no_longer_configured_fails(
    store: Store, clock: ManualClock, alerts: Alerts, webhook: WebhookReceiver
) -> None:
    alerts.fire("api-health", clock.now())
    plan(store, to_webhook(webhook), clock.now())
    renamed = make_config({"other": webhook.url()}, [{"match": {}, "to": ["other"]}])

    [outcome] = (await deliver(store, renamed, clock)).outcomes

    assert outcome.result == "failed"
    assert outcome.reason == "channel ops-hook is no longer configured"


async def test_a_locked_store_is_reported_and_nothing_is_lost(
    store: Store, clock: ManualClock, alerts: Alerts, webhook: WebhookReceiver
) -> None:
    config = to_webhook(webhook, group_by=["check"])
    alerts.fire("api-health", clock.now())
    plan(store, config, clock.now())  # one row due in the outbox
    alerts.fire("postgres", clock.now())  # one event to route
    impatient = create_engine(store.engine.url, connect_args={"timeout": 0.05})
    hurried = Store(impatient)
    with store.engine.connect() as holder:
        holder.exec_driver_sql("BEGIN EXCLUSIVE")  # another writer holds the database
        planned = plan(hurried, config, clock.now())
        delivered = await deliver(hurried, config, clock)
        holder.rollback()

    assert planned.errors == ("cannot write a notification: database is locked",)
    assert delivered.errors == ["cannot claim notifications: database is locked"]
    assert alerts.unrouted() == 1
    assert plan(hurried, config, clock.now()).notifications == 1
    assert (await deliver(hurried, config, clock)).delivered == 2
    assert len(webhook.requests) == 2
    impatient.dispose()


async def test_only_one_of_two_racing_senders_claims_a_row_on_postgresql(
    request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock, webhook: WebhookReceiver
) -> None:
    server = request.getfixturevalue("postgres_server")
    url = normalise_url(server.create_database(f"notify_{abs(hash(tmp_path)) % 10**8}"), tmp_path)
    store = Store.open(url)
    try:
        config = to_webhook(webhook)
        Alerts(store).fire("postgres", clock.now())
        assert plan(store, config, clock.now()).notifications == 1
        lease = clock.now() + minutes(2)
        both_read = threading.Barrier(2)

        def sender() -> bool:
            with store.engine.begin() as connection:
                [row] = outbox.due(connection, clock.now(), 10)
                both_read.wait(timeout=10)  # each saw the row pending before either claimed
                return outbox.claim(connection, row, clock.now(), lease)

        with ThreadPoolExecutor(2) as pool:
            taken = [f.result(timeout=30) for f in [pool.submit(sender), pool.submit(sender)]]
        assert sorted(taken) == [False, True]

        clock.advance(minutes(3))  # the winner "crashed": its lease runs out
        assert (await deliver(store, config, clock)).delivered == 1
        assert len(webhook.requests) == 1
        with store.engine.connect() as connection:
            row = connection.execute(text("SELECT status, attempts FROM notifications")).one()
        assert tuple(row) == ("delivered", 2)
    finally:
        store.close()
