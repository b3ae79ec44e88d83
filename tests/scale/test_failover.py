"""Two real `golive serve` replicas on one PostgreSQL store, one leading: killed (-9) or frozen
(SIGSTOP) while a check fails or recovers, the other takes over within the bound, and each
notification reaches the real webhook receiver exactly once."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from devkit.receivers import WebhookReceiver
from devkit.replicas import GOLIVE, HANDOVER_BOUND, Replicas, dedup_keys, wait_for
from golive.records import CheckStatus

if TYPE_CHECKING:
    from devkit.servers import PostgresServer

_databases = itertools.count()


@pytest.fixture
def replicas(
    tmp_path: Path, postgres_server: PostgresServer, webhook: WebhookReceiver
) -> Iterator[Replicas]:
    name = f"failover_{os.getpid()}_{next(_databases)}"
    url = postgres_server.create_database(name).replace("postgresql://", "postgresql+psycopg://")
    started = Replicas(tmp_path, url, webhook)
    try:
        yield started
    finally:
        started.stop_all()


def test_a_killed_leader_is_replaced_in_time_and_each_page_arrives_once(
    replicas: Replicas, webhook: WebhookReceiver
) -> None:
    replicas.config = replicas.config.replace(
        "fail_after: 1", "fail_after: 2\n    recover_after: 2"
    )
    replicas.start("a", "b")
    replicas.start("c", args=("--role", "evaluator"))  # no web: the leased part alone
    first = replicas.leader()
    wait_for(lambda: replicas.state() == "up", what="flaky up")
    replicas.down.touch()
    wait_for(lambda: failing(replicas.status()), what="flaky's first failure")
    first.process.send_signal(signal.SIGKILL)  # while it fails, before its alert fires
    second, took = replicas.handover(first)
    assert took <= HANDOVER_BOUND
    shown = subprocess.run(
        [*GOLIVE, "status", "-c", str(second.config), "--json"], capture_output=True, check=False
    )
    leaders = json.loads(shown.stdout)["leaders"]
    assert [(x["role"], x["holder"], x["live"]) for x in leaders] == [
        ("evaluator", second.holder, True)
    ]
    wait_for(lambda: len(webhook.requests) >= 1, what="the alert at the webhook")
    replicas.down.unlink()
    wait_for(lambda: recovering(replicas.status()), what="flaky's first success")
    second.process.send_signal(signal.SIGKILL)  # while it recovers
    third, took = replicas.handover(second)
    assert took <= HANDOVER_BOUND
    wait_for(lambda: len(webhook.requests) >= 2, what="the resolution at the webhook")
    wait_for(replicas.settled, what="an empty outbox")
    keys = dedup_keys(webhook)
    assert len(keys) == 2 and len(set(keys)) == 2, keys
    assert "resolved" in str(webhook.requests[1].body).lower()
    assert third.process.poll() is None


def failing(status: CheckStatus | None) -> bool:
    """Up, with a failure stored: the next one pages (``fail_after: 2``)."""
    return status is not None and status.state == "up" and status.consecutive_failures >= 1


def recovering(status: CheckStatus | None) -> bool:
    """Down, with a success stored: the next one resolves (``recover_after: 2``)."""
    return status is not None and status.state == "down" and status.consecutive_successes >= 1


def test_a_frozen_leader_is_fenced_out_and_steps_down_when_it_wakes(
    replicas: Replicas, webhook: WebhookReceiver
) -> None:
    replicas.start("a", "b")
    frozen = replicas.leader()
    wait_for(lambda: replicas.state() == "up", what="flaky up")
    frozen.process.send_signal(signal.SIGSTOP)
    leader, took = replicas.handover(frozen)
    assert took <= HANDOVER_BOUND
    replicas.down.touch()  # the new leader pages; the frozen one knows nothing of it
    wait_for(lambda: len(webhook.requests) == 1, what="the alert at the webhook")
    wait_for(replicas.settled, what="an empty outbox")
    frozen.process.send_signal(signal.SIGCONT)
    wait_for(lambda: "lost the evaluator lease" in frozen.log, what="the old leader stepping down")
    held = replicas.lease()
    assert held is not None and held.holder == leader.holder
    replicas.down.unlink()  # one resolution, from the leader only
    wait_for(lambda: len(webhook.requests) == 2, what="the resolution at the webhook")
    wait_for(replicas.settled, what="an empty outbox")
    keys = dedup_keys(webhook)
    assert len(set(keys)) == 2, keys
    assert frozen.process.poll() is None  # standing by, ready to lead again
    reload = subprocess.run(
        [*GOLIVE, "reload", "-c", str(frozen.config)], capture_output=True, text=True, check=False
    )
    assert f"asked golive serve (pid {frozen.pid}) to reload it" in reload.stdout, reload.stderr
    wait_for(lambda: "configuration reloaded" in frozen.log, what="the standby's reload")
    leader.process.send_signal(signal.SIGKILL)
    back, _took = replicas.handover(leader)
    assert back is frozen
