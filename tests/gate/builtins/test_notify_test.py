"""``notify_test`` through the real outbox (SQLite) to a real webhook receiver: delivered,
rejected, failing for now, unknown channels, and no store. Channel URLs never show."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devkit.receivers import WebhookReceiver
from golive.clock import SystemClock
from golive.config import LoadedConfig, load_config
from golive.gate.builtins import notify_test
from golive.gate.builtins.base import Context, Finding
from golive.gate.builtins.notify_test import NotifyTestArgs, run
from golive.gate.registry import builtin_checks
from golive.store import Store, normalise_url
from golive.store.outbox import list_notifications

TOKEN = "T0kenAbc123XYZsecret"  # a path piece that looks like a token: a secret


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(normalise_url("sqlite:///state/golive.db", tmp_path))
    yield opened
    opened.close()


def configure(tmp_path: Path, channels: dict[str, str]) -> LoadedConfig:
    lines = ["version: 1", "project: parkwise", "notify:", "  channels:"]
    lines += [f'    - {{name: {name}, url: "{url}"}}' for name, url in channels.items()]
    path = tmp_path / "golive.yaml"
    path.write_text("\n".join(lines) + "\n")
    return load_config(path, environ={})


async def check(loaded: LoadedConfig, store: Store | None, **args: Any) -> Finding:
    ctx = Context(clock=SystemClock(), loaded=loaded, environ={}, store=store, timeout=5)
    return await run(NotifyTestArgs(**args), ctx)


def shown(finding: Finding) -> str:
    return finding.reason + json.dumps(finding.evidence)


async def test_a_test_message_that_reaches_the_webhook_passes(
    tmp_path: Path, store: Store, webhook: WebhookReceiver
) -> None:
    loaded = configure(tmp_path, {"ops-webhook": webhook.url(f"/hook/{TOKEN}")})

    finding = await check(loaded, store, channels=["ops-webhook"])

    assert finding.ok, finding.reason
    assert finding.reason == "test message delivered to ops-webhook"
    [request] = webhook.requests
    assert request.path == f"/hook/{TOKEN}"
    assert "golive test notification (ops-webhook)" in json.dumps(request.body)
    result = finding.evidence["channels"]["ops-webhook"]
    assert result["result"] == "delivered"
    assert result["attempts"] == 1
    [row] = list_notifications(store)
    assert (row.id, row.kind, row.status) == (result["outbox_id"], "test", "delivered")


async def test_no_channel_named_means_every_channel(
    tmp_path: Path, store: Store, webhook: WebhookReceiver
) -> None:
    loaded = configure(tmp_path, {"ops": webhook.url("/ops"), "dev": webhook.url("/dev")})

    finding = await check(loaded, store)

    assert finding.ok, finding.reason
    assert finding.reason == "test message delivered to ops, dev"
    assert sorted(request.path for request in webhook.requests) == ["/dev", "/ops"]


async def test_a_channel_that_rejects_the_message_fails_with_a_redacted_reason(
    tmp_path: Path, store: Store, webhook: WebhookReceiver
) -> None:
    loaded = configure(
        tmp_path, {"ops": webhook.url("/ops"), "broken": webhook.url(f"/hook/{TOKEN}")}
    )
    webhook.always(400)

    finding = await check(loaded, store, channels=["broken"])

    assert not finding.ok
    result = finding.evidence["channels"]["broken"]
    assert result["result"] == "failed"
    assert result["permanent"] is True
    assert "HTTP 400" in result["reason"]
    assert finding.reason.startswith("not every channel took the test message: broken: failed (")
    assert TOKEN not in shown(finding)
    assert "ops" not in finding.evidence["channels"]  # only the channel asked for


async def test_a_transient_failure_fails_now_and_is_left_to_the_outbox_to_retry(
    tmp_path: Path, store: Store, webhook: WebhookReceiver
) -> None:
    loaded = configure(tmp_path, {"ops": webhook.url("/ops")})
    webhook.answer(503)

    finding = await check(loaded, store, channels=["ops"])

    assert not finding.ok
    result = finding.evidence["channels"]["ops"]
    assert result["result"] == "retry"
    assert result["retry_at"]
    assert "ops: failed, will be retried (HTTP 503" in finding.reason
    [row] = list_notifications(store)
    assert row.status == "pending"  # golive serve sends it again later


async def test_an_unknown_channel_fails_before_anything_is_queued(
    tmp_path: Path, store: Store, webhook: WebhookReceiver
) -> None:
    loaded = configure(tmp_path, {"ops": webhook.url("/ops")})

    finding = await check(loaded, store, channels=["ops", "pager"])

    assert not finding.ok
    assert finding.reason == "no channel called pager (channels: ops)"
    assert list_notifications(store) == []
    assert webhook.requests == []


async def test_without_channels_configured_it_fails(tmp_path: Path, store: Store) -> None:
    path = tmp_path / "golive.yaml"
    path.write_text("version: 1\nproject: parkwise\n")

    finding = await check(load_config(path, environ={}), store)

    assert not finding.ok
    assert finding.reason == "no notification channels are configured (notify.channels)"


async def test_without_a_store_it_fails_saying_it_needs_the_store(
    tmp_path: Path, webhook: WebhookReceiver
) -> None:
    loaded = configure(tmp_path, {"ops": webhook.url("/ops")})

    finding = await check(loaded, None)

    assert not finding.ok
    assert finding.reason == "needs the store: notify_test sends through the outbox"
    assert webhook.requests == []


def test_it_is_registered_as_notify_test() -> None:
    assert builtin_checks()["notify_test"] is notify_test.BUILTIN
