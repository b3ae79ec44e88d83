"""Burn-rate alerts in `golive serve`: the SLO service signals the burn rates, the page and the
ticket alert move through the same states, routes and outbox as a check's alert, to a real
webhook."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devkit.receivers import WebhookReceiver
from golive.clock import ManualClock
from golive.config import load_config
from golive.notify import deliver_due
from golive.records import Bucket
from golive.serve import slos
from golive.serve.runtime import ServeRuntime
from golive.store import Store, normalise_url
from golive.store.alerts import load_alerts
from golive.store.state import flush

NOW = datetime(2026, 12, 7, 12, 30, tzinfo=UTC)
CONFIG = """\
version: 1
project: shop
checks:
  - {{name: web, tcp: {{host: 127.0.0.1, port: 1}}, every: 1h}}
slos:
  - {{name: availability, objective: 99.9%, window: 30d, sli: {{check: web}}}}
alerts:
  - {{name: availability-burn, slo: availability, burn_rate: multiwindow, severity: critical}}
notify:
  channels: [{{name: hook, url: "{hook}"}}]
  routes: [{{match: {{severity: critical}}, to: [hook]}}]
  group_wait: 0s
"""


async def settle(serve: ServeRuntime, webhook: WebhookReceiver, count: int) -> None:
    """Deliver the outbox (the runtime's delivery loop is not running here) until the webhook
    has ``count`` requests (10 s at most)."""
    deadline = time.monotonic() + 10
    loaded = serve.loaded
    while len(webhook.requests) < count:
        assert time.monotonic() < deadline, [r.body for r in webhook.requests]
        await deliver_due(serve.store, loaded.config, loaded.secrets, serve.clock.now())
        await asyncio.sleep(0.05)


def states(store: Store) -> dict[str, str]:
    return {a.name: a.state for a in load_alerts(store, states=None).values() if a.rule}


async def test_a_fast_burn_pages_and_tickets_and_the_page_resolves_first(
    tmp_path: Path, webhook: WebhookReceiver
) -> None:
    path = tmp_path / "golive.yaml"
    path.write_text(CONFIG.format(hook=webhook.url("/golive")))
    store = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    # 10 minutes of 10 runs, half failed: 500x the budget of 99.9 %
    # (written as `golive serve` writes them: the minutes, and the hour they add up to)
    burst = [Bucket("web", "minute", NOW - timedelta(minutes=m), 10, 5) for m in range(1, 11)]
    hour = Bucket("web", "hour", NOW.replace(minute=0), 100, 50)
    flush(store, environment="test", statuses=[], evidence=[], buckets=[*burst, hour])
    clock = ManualClock(NOW)
    serve = ServeRuntime(
        load_config(path, environ={}), store=store, clock=clock, environ={}, services=(slos.make,)
    )
    [service] = serve.services
    await service.tick(clock.now())
    await serve.cycle()
    assert states(store) == {
        "availability-burn-page": "firing",
        "availability-burn-ticket": "firing",
    }
    page = next(a for a in load_alerts(store).values() if a.name == "availability-burn-page")
    assert page.severity == "critical" and page.labels == {"slo": "availability", "burn": "page"}
    assert page.details["values"]["burn_5m"] == pytest.approx(500.0)
    await settle(serve, webhook, 1)
    assert "availability-burn-page" in str(webhook.requests[0].body)

    # 40 minutes on: the 5 m and 30 m windows are quiet, so the page resolves; the 2 h window
    # still holds the burst, so the ticket stays open
    clock.advance(timedelta(minutes=40))
    await service.tick(clock.now())
    await serve.cycle()
    assert states(store) == {
        "availability-burn-page": "resolved",
        "availability-burn-ticket": "firing",
    }
    await settle(serve, webhook, 2)
    assert "resolved" in str(webhook.requests[1].body).lower()
    store.close()
