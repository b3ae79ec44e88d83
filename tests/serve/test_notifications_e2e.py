"""A real `golive serve` telling a real webhook: down, recovered, and across a kill -9."""

from __future__ import annotations

import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devkit.ports import free_port
from devkit.receivers import WebhookReceiver
from golive.store import Store
from golive.store.outbox import counts_by_status
from golive.store.state import load_statuses
from tests.devkit.serve import Serve, states, store_of, wait_for

CONFIG = """\
version: 1
project: shop
server: {{listen: "127.0.0.1:{port}"}}
checks:
  - name: flaky
    command: {{run: "test ! -e {down}"}}
    every: 2s
    timeout: 2s
    fail_after: 2  # one probe timed out on a busy machine is no outage
    severity: critical
notify:
  channels: [{{name: hook, url: "{hook}"}}]
  routes: [{{match: {{severity: critical}}, to: [hook]}}]
  group_wait: 0s
"""


@pytest.fixture
def config(tmp_path: Path, webhook: WebhookReceiver) -> tuple[Path, int]:
    path = tmp_path / "golive.yaml"
    port = free_port()
    path.write_text(CONFIG.format(port=port, down=tmp_path / "down", hook=webhook.url("/golive")))
    return path, port


def titles(webhook: WebhookReceiver) -> list[str]:
    return [
        str(r.body.get("title", "")) if isinstance(r.body, dict) else "" for r in webhook.requests
    ]


def test_a_down_check_reaches_the_webhook_and_so_does_its_recovery(
    config: tuple[Path, int], webhook: WebhookReceiver, serve: Serve
) -> None:
    path, port = config
    serve(path, port)
    with store_of(path) as store:  # healthy first: nothing to say
        wait_for(lambda: states(store).get("flaky") == "up")
    assert webhook.requests == []
    (path.parent / "down").touch()
    wait_for(lambda: len(webhook.requests) == 1)
    body = webhook.requests[0].body
    assert "flaky" in body["title"]
    assert "exit_code == 0" in body["message"]
    assert webhook.requests[0].headers.get("X-Golive-Dedup-Key")
    (path.parent / "down").unlink()
    wait_for(lambda: len(webhook.requests) == 2)
    assert "resolved" in titles(webhook)[1].lower()
    assert serve.stop_all() == [0]


def test_a_notification_cut_by_kill_9_is_sent_again_after_restart_with_its_dedup_key(
    config: tuple[Path, int], webhook: WebhookReceiver, serve: Serve
) -> None:
    path, port = config
    webhook.answer("hang")  # the first delivery never gets an answer
    (path.parent / "down").touch()
    server = serve(path, port)
    wait_for(lambda: len(webhook.requests) == 1)
    server.send_signal(signal.SIGKILL)  # golive dies in the middle of sending
    server.wait(timeout=10)
    serve(path, port)
    wait_for(lambda: len(webhook.requests) == 2)
    first, second = webhook.requests
    assert first.headers["X-Golive-Dedup-Key"] == second.headers["X-Golive-Dedup-Key"]
    assert first.body == second.body
    with store_of(path) as store:  # sent; then the check runs twice more and adds nothing
        wait_for(lambda: counts_by_status(store)["delivered"] == 1)
        resent = datetime.now(UTC)
        wait_for(lambda: ran_since(store, "flaky", resent + timedelta(seconds=1)))
        assert sum(counts_by_status(store).values()) == 1, "one event, one notification"
    distinct = {r.headers["X-Golive-Dedup-Key"] for r in webhook.requests}
    assert len(distinct) == 1, "nothing new was made up"
    assert (
        "resending 1 notifications interrupted by a previous stop"
        in (path.parent / "serve.log").read_text()
    )
    assert serve.stop_all() == [-signal.SIGKILL, 0]


def ran_since(store: Store, check: str, at: datetime) -> bool:
    status = load_statuses(store).get(check)
    return status is not None and status.last_run_at is not None and status.last_run_at > at
