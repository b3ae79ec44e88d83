"""The outbox as the API, /metrics and the gate read it; test messages through it."""

from __future__ import annotations

import pytest

from devkit.receivers import SmtpReceiver, WebhookReceiver
from golive.clock import ManualClock
from golive.config.secrets import Secrets
from golive.exceptions import UsageError
from golive.notify import deliver_due, send_test
from golive.store import Store, outbox
from tests.devkit.notify import Alerts, make_config, minutes


async def test_send_test_queues_a_message_per_channel_through_the_outbox(
    store: Store, clock: ManualClock, webhook: WebhookReceiver, smtp: SmtpReceiver
) -> None:
    config = make_config({"ops-slack": webhook.url(), "ops-email": smtp.url()}, [])

    ids = send_test(store, config, ["ops-slack", "ops-email"], clock.now())
    again = send_test(store, config, ["ops-slack"], clock.now())  # the same moment: same row
    stats = await deliver_due(store, config, Secrets(), clock.now())

    assert again == {"ops-slack": ids["ops-slack"]}
    assert stats.delivered == 2
    for row_id in ids.values():
        row = outbox.get_notification(store, row_id)
        assert row is not None and row.kind == "test" and row.status == "delivered"
    assert webhook.requests[0].body["title"] == "golive test notification (ops-slack)"
    assert smtp.messages[0]["Subject"] == "golive test notification (ops-email)"


def test_send_test_refuses_unknown_channels(store: Store, clock: ManualClock) -> None:
    config = make_config({"ops-slack": "json://127.0.0.1:9/x"}, [])
    with pytest.raises(UsageError, match="no channel called pager"):
        send_test(store, config, ["pager"], clock.now())


async def test_the_outbox_is_listed_by_status_and_counted(
    store: Store, clock: ManualClock, alerts: Alerts, webhook: WebhookReceiver
) -> None:
    config = make_config(
        {"ops-slack": webhook.url()},
        [{"match": {}, "to": ["ops-slack"]}],
        group_by=["check"],
        group_wait=0,
    )
    from golive.notify import plan

    for name in ("a", "b", "c"):
        alerts.fire(name, clock.now())
    plan(store, config, clock.now())
    webhook.answer(500, 400)
    await deliver_due(store, config, Secrets(), clock.now(), concurrency=1)

    counts = outbox.counts_by_status(store)
    failed = outbox.list_notifications(store, status="failed")
    newest_first = outbox.list_notifications(store, limit=2)
    older = outbox.list_notifications(store, before_id=newest_first[-1].id)

    assert counts == {"pending": 1, "sending": 0, "delivered": 1, "failed": 1}
    assert [row.status for row in failed] == ["failed"]
    assert failed[0].last_error is not None and failed[0].last_error.startswith("HTTP 400")
    assert [row.id for row in newest_first] == [3, 2]
    assert [row.id for row in older] == [1]
    with pytest.raises(ValueError, match="unknown status"):
        outbox.list_notifications(store, status="lost")
    clock.advance(minutes(1))
