"""Digest routes gather their alerts into one message at the scheduled local time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from devkit.receivers import SmtpReceiver, WebhookReceiver
from golive.clock import ManualClock
from golive.config.oncall import Reports
from golive.config.secrets import Secrets
from golive.notify import deliver_due, plan
from golive.notify.digest import schedule_for
from golive.store import Store
from tests.devkit.notify import Alerts, make_config, outbox_rows

NEW_YORK_8AM = {"at": "08:00", "timezone": "America/New_York", "to": ["ops-email"]}


async def test_a_daily_digest_gathers_medium_alerts_into_one_email(
    store: Store,
    clock: ManualClock,
    alerts: Alerts,
    smtp: SmtpReceiver,
    webhook: WebhookReceiver,
) -> None:
    config = make_config(
        {"ops-email": smtp.url(), "ops-slack": webhook.url()},
        [
            {"match": {"severity": "high"}, "to": ["ops-slack"]},
            {"match": {"severity": "medium"}, "to": ["ops-email"], "digest": "daily"},
        ],
        group_wait=0,
        repeat_every="2d",
        public_url="https://golive.example",
        reports={"daily": NEW_YORK_8AM},
    )
    monday = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York
    clock.set(monday)
    slow = alerts.fire("search-latency", monday, severity="medium", component="Search")
    alerts.fire("cache-hit-rate", monday + timedelta(hours=2), severity="medium", component="Cache")
    alerts.fire("disk-usage", monday + timedelta(hours=3), severity="medium", component="Host")
    alerts.resolve(slow, monday + timedelta(minutes=28))
    alerts.fire("api-health", monday, severity="high")  # not a digest route: sent at once

    clock.set(monday + timedelta(hours=4))
    during = plan(store, config, clock.now())
    clock.set(datetime(2026, 3, 3, 12, 59, tzinfo=UTC))  # 07:59 in New York
    before = plan(store, config, clock.now())
    late = alerts.fire(
        "queue-depth", datetime(2026, 3, 3, 13, 0, 30, tzinfo=UTC), severity="medium"
    )
    clock.set(datetime(2026, 3, 3, 13, 1, tzinfo=UTC))  # 08:01
    at_eight = plan(store, config, clock.now())
    again = plan(store, config, clock.now())
    delivered = await deliver_due(store, config, Secrets(), clock.now())

    assert (during.notifications, during.held) == (1, 4)  # api-health only
    assert (before.notifications, before.held) == (0, 4)
    assert (at_eight.digests, at_eight.notifications, at_eight.held) == (1, 1, 1)
    assert again.notifications == 0
    assert delivered.delivered == 2
    [email] = smtp.messages
    assert email["Subject"] == "Daily digest: 3 alerts, 2 still firing"
    body = SmtpReceiver.text(email)
    assert "Daily digest, 2026-03-02 08:00 EST to 2026-03-03 08:00 EST" in body
    assert (
        "- search-latency (medium, Search): fired 2026-03-02 10:00 EST, "
        "resolved 2026-03-02 10:28 EST after 28m"
    ) in body
    assert "- cache-hit-rate (medium, Cache): fired 2026-03-02 12:00 EST, still firing" in body
    assert "Dashboard: https://golive.example/checks/disk-usage" in body
    assert "queue-depth" not in body  # it came after 08:00: tomorrow's digest
    assert alerts.last_notified(late) is None
    assert [row.kind for row in outbox_rows(store)] == ["alert", "digest"]


def test_digest_alerts_do_not_repeat(store: Store, clock: ManualClock, alerts: Alerts) -> None:
    config = make_config(
        {"ops-email": "json://127.0.0.1:9/x"},
        [{"match": {}, "to": ["ops-email"], "digest": "daily"}],
        repeat_every="1h",
    )
    alerts.fire("disk-usage", clock.now(), severity="low")
    clock.advance(timedelta(days=1))
    assert plan(store, config, clock.now()).digests == 1
    clock.advance(timedelta(hours=5))
    assert plan(store, config, clock.now()).repeats == 0


def test_the_default_schedules_are_8am_utc_daily_and_monday_weekly() -> None:
    daily = schedule_for("daily", Reports())
    weekly = schedule_for("weekly", Reports())
    wednesday = datetime(2026, 3, 4, 7, 0, tzinfo=UTC)

    assert daily.last_slot(wednesday) == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert daily.last_slot(wednesday.replace(hour=8)) == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    assert weekly.last_slot(wednesday) == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert weekly.last_slot(datetime(2026, 3, 2, 7, 59, tzinfo=UTC)) == datetime(
        2026, 2, 23, 8, 0, tzinfo=UTC
    )


def test_a_weekly_report_time_sets_the_weekly_digest_across_daylight_saving() -> None:
    reports = Reports.model_validate(
        {"weekly": {"at": "friday 17:30", "timezone": "America/New_York", "to": ["x"]}}
    )
    weekly = schedule_for("weekly", reports)
    after_the_change = datetime(2026, 3, 14, 0, 0, tzinfo=UTC)  # DST began on sunday 8 March

    slot = weekly.last_slot(after_the_change)

    assert slot.astimezone(UTC) == datetime(2026, 3, 13, 21, 30, tzinfo=UTC)  # EDT, UTC-4
    assert weekly.previous(slot).astimezone(UTC) == datetime(2026, 3, 6, 22, 30, tzinfo=UTC)
