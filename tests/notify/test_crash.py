"""A sender process killed with SIGKILL in the middle of a send loses nothing."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta

from devkit.receivers import WebhookReceiver
from golive.clock import ManualClock
from golive.config.secrets import Secrets
from golive.notify import deliver_due, plan
from golive.store import Store
from tests.devkit.notify import Alerts, make_config, outbox_rows

SENDER = textwrap.dedent(
    """
    import asyncio, json, sys
    from datetime import datetime, timedelta
    from golive.config.root import ConfigBase
    from golive.config.secrets import Secrets
    from golive.notify import deliver_due
    from golive.store import Store

    url, config, now = sys.argv[1], json.loads(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
    store = Store.open(url)
    asyncio.run(deliver_due(store, ConfigBase.model_validate(config), Secrets(), now,
                            send_timeout=timedelta(seconds=60)))
    """
)
SENDER_CONFIG = {"version": 1, "project": "parkwise"}


def test_a_sender_killed_mid_send_leaves_its_row_to_be_sent_again(
    store: Store, clock: ManualClock, alerts: Alerts, webhook: WebhookReceiver
) -> None:
    url = webhook.url()
    config = make_config({"ops-hook": url}, [{"match": {}, "to": ["ops-hook"]}], group_wait=0)
    alerts.fire("api-health", clock.now())
    plan(store, config, clock.now())
    webhook.answer("hang")  # the first send never gets an answer
    sender = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SENDER,
            store.engine.url.render_as_string(hide_password=False),
            json.dumps(
                SENDER_CONFIG | {"notify": {"channels": [{"name": "ops-hook", "url": url}]}}
            ),
            clock.now().isoformat(),
        ],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        deadline = time.monotonic() + 30
        while not webhook.requests:  # wait for the real request to arrive
            assert sender.poll() is None, "the sender exited before sending"
            assert time.monotonic() < deadline, "the sender never sent"
            time.sleep(0.02)
    finally:
        sender.send_signal(signal.SIGKILL)
        sender.wait(timeout=10)

    [claimed] = outbox_rows(store)
    early = asyncio.run(deliver_due(store, config, Secrets(), clock.now()))
    clock.advance(timedelta(minutes=2, seconds=1))
    late = asyncio.run(deliver_due(store, config, Secrets(), clock.now()))

    assert claimed.status == "sending"  # what the killed sender left behind
    assert early.claimed == 0  # its lease still holds
    assert late.delivered == 1
    [row] = outbox_rows(store)
    assert row.status == "delivered" and row.attempts == 2
    first, again = webhook.requests
    assert first.headers["X-Golive-Dedup-Key"] == again.headers["X-Golive-Dedup-Key"]
