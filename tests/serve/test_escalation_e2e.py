"""A real `golive serve` paging through an escalation policy, killed with SIGKILL in the middle
of a wait and started again: the next step comes once, at its time, and the link in the page
acknowledges the incident without a login."""

from __future__ import annotations

import re
import signal
import urllib.request
from pathlib import Path

import pytest

from devkit.ports import free_port
from devkit.receivers import WebhookReceiver
from golive.incidents.timeline import read
from golive.store.outbox import list_notifications
from tests.devkit.serve import Serve, store_of, wait_for

CONFIG = """\
version: 1
project: shop
server: {{listen: "127.0.0.1:{port}", public_url: "http://127.0.0.1:{port}"}}
components: [{{name: Database}}]
checks:
  - name: postgres
    component: Database
    command: {{run: "test ! -e {down}"}}
    every: 2s
    timeout: 2s
    severity: critical
notify:
  routes: [{{match: {{severity: critical}}, escalation: default}}]
  group_wait: 0s
oncall:
  people:
    - {{name: alice, notify: ["{alice}"]}}
    - {{name: bob, notify: ["{bob}"]}}
  escalation_policies:
    - name: default
      steps:
        - {{notify: [person:alice], wait: 8s}}
        - {{notify: [person:bob], wait: 1h}}
incidents:
  open_on: [critical]
  severities:
    SEV1: {{from: critical, respond_within: 1h}}
"""


@pytest.fixture
def config(tmp_path: Path, webhook: WebhookReceiver) -> tuple[Path, int]:
    path = tmp_path / "golive.yaml"
    port = free_port()
    path.write_text(
        CONFIG.format(
            port=port,
            down=tmp_path / "down",
            alice=webhook.url("/alice"),
            bob=webhook.url("/bob"),
        )
    )
    return path, port


def delivered(path: Path) -> int:
    with store_of(path) as store:
        return len(list_notifications(store, status="delivered"))


def paths(webhook: WebhookReceiver) -> list[str]:
    return [r.path for r in webhook.requests]


def test_a_restart_mid_wait_continues_the_escalation_without_a_duplicate_step(
    config: tuple[Path, int], webhook: WebhookReceiver, serve: Serve
) -> None:
    path, port = config
    (path.parent / "down").touch()
    server = serve(path, port)
    wait_for(lambda: paths(webhook) == ["/alice"], what="alice paged")
    # golive dies while waiting for alice to answer: after her page is recorded as delivered
    # (a kill between the receiver's answer and that record sends it again on restart: the
    # outbox delivers at least once; a webhook carries X-Golive-Dedup-Key for receivers)
    wait_for(lambda: delivered(path) == 1, what="alice's page recorded as delivered")
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    serve(path, port)

    wait_for(lambda: "/bob" in paths(webhook), timeout=60, what="bob paged")

    assert paths(webhook) == ["/alice", "/bob"]
    with store_of(path) as store:
        steps = [e for e in read(store, 1) if e.kind == "escalation_step"]
    assert [(e.data["round"], e.data["step"]) for e in steps] == [(1, 1), (1, 2)]
    assert (steps[1].at - steps[0].at).total_seconds() >= 8

    # bob acknowledges from the link in his page, without logging in
    message = webhook.requests[1].body["message"]
    [link] = re.findall(r"Acknowledge: (\S+)", message)
    shown = urllib.request.urlopen(link, timeout=10).read().decode()
    assert "Acknowledge as bob" in shown
    request = urllib.request.Request(link, method="POST", data=b"")
    done = urllib.request.urlopen(request, timeout=10).read().decode()
    assert "Incident #1 acknowledged" in done
    with store_of(path) as store:
        kinds = [e.kind for e in read(store, 1)]
    assert "acknowledged" in kinds and "escalation_stopped" in kinds
    assert serve.stop_all() == [-signal.SIGKILL, 0]
