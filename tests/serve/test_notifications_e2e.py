"""A real `golive serve` telling a real webhook: down, recovered, and across a kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devkit.ports import free_port
from devkit.receivers import WebhookReceiver

CONFIG = """\
version: 1
project: shop
server: {{listen: "127.0.0.1:{port}"}}
checks:
  - name: flaky
    command: {{run: "test ! -e {down}"}}
    every: 1s
    timeout: 1s
    fail_after: 1
    severity: critical
notify:
  channels: [{{name: hook, url: "{hook}"}}]
  routes: [{{match: {{severity: critical}}, to: [hook]}}]
  group_wait: 0s
"""


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    hook = WebhookReceiver()
    hook.start()
    yield hook
    hook.stop()


@pytest.fixture
def config(tmp_path: Path, receiver: WebhookReceiver) -> Path:
    path = tmp_path / "golive.yaml"
    path.write_text(
        CONFIG.format(port=free_port(), down=tmp_path / "down", hook=receiver.url("/golive"))
    )
    return path


def start(config: Path) -> subprocess.Popen[bytes]:
    with (config.parent / "serve.log").open("ab") as log:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-m", "golive", "serve", "-c", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


def titles(receiver: WebhookReceiver) -> list[str]:
    return [
        str(r.body.get("title", "")) if isinstance(r.body, dict) else "" for r in receiver.requests
    ]


def test_a_down_check_reaches_the_webhook_and_so_does_its_recovery(
    config: Path, receiver: WebhookReceiver
) -> None:
    server = start(config)
    try:
        time.sleep(2)  # healthy first: nothing to say
        assert receiver.requests == []
        (config.parent / "down").touch()
        wait_for(lambda: len(receiver.requests) == 1)
        body = receiver.requests[0].body
        assert "flaky" in body["title"]
        assert "exit_code == 0" in body["message"]
        assert receiver.requests[0].headers.get("X-Golive-Dedup-Key")
        (config.parent / "down").unlink()
        wait_for(lambda: len(receiver.requests) == 2)
        assert "resolved" in titles(receiver)[1].lower()
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0


def test_a_notification_cut_by_kill_9_is_sent_again_after_restart_with_its_dedup_key(
    config: Path, receiver: WebhookReceiver
) -> None:
    receiver.answer("hang")  # the first delivery never gets an answer
    (config.parent / "down").touch()
    server = start(config)
    wait_for(lambda: len(receiver.requests) == 1)
    server.send_signal(signal.SIGKILL)  # golive dies in the middle of sending
    server.wait(timeout=10)
    restarted = start(config)
    try:
        wait_for(lambda: len(receiver.requests) == 2)
        first, second = receiver.requests
        assert first.headers["X-Golive-Dedup-Key"] == second.headers["X-Golive-Dedup-Key"]
        assert first.body == second.body
        time.sleep(2)
        distinct = {r.headers["X-Golive-Dedup-Key"] for r in receiver.requests}
        assert len(distinct) == 1, "one event, one notification: nothing new was made up"
        assert (
            "resending 1 notifications interrupted by a previous stop"
            in (config.parent / "serve.log").read_text()
        )
    finally:
        restarted.send_signal(signal.SIGTERM)
        assert restarted.wait(timeout=15) == 0
