"""A requests SLI end to end: a real ParkWise answering 500 to about a quarter of its
requests, scraped by golive's metrics service; the SLO counts exactly the requests it answered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devkit.ports import free_port
from golive.clock import ManualClock
from golive.slo.sli import Reader
from golive.slo.status import evaluate
from golive.store import Store, normalise_url
from tests.devkit.metrics import Harness, Parkwise, config, hit

T0 = datetime(2026, 12, 7, 15, 0, 30, tzinfo=UTC)
BODY = """\
metrics:
  - {{name: app, prometheus: {{url: "{url}", every: 15s}}}}
slos:
  - name: errors
    objective: 99%
    window: 1d
    sli: {{requests: app, where: {{route: /api/facilities}}, good: {{status_below: 500}}}}
  - name: fast-and-right
    objective: 95%
    window: 7d
    sli:
      requests: app
      where: {{route: /api/facilities, method: GET}}
      good: {{status_below: 500, latency_below: 5s}}
  - name: between-bounds
    objective: 95%
    window: 7d
    sli: {{requests: app, good: {{latency_below: 123ms}}}}
"""


@pytest.fixture
def parkwise(tmp_path: Path) -> Iterator[Parkwise]:
    app = Parkwise(tmp_path, free_port()).start(error_rate="0.25", seed="7")
    yield app
    app.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(normalise_url("sqlite:///state/golive.db", tmp_path))
    yield opened
    opened.close()


async def test_a_requests_slo_counts_what_parkwise_answered(
    tmp_path: Path, parkwise: Parkwise, store: Store
) -> None:
    loaded = config(tmp_path, BODY.format(url=f"{parkwise.base_url}/metrics"))
    scraper = Harness(loaded, store, ManualClock(T0))
    hit(parkwise.base_url, "/api/facilities", 1)  # before the first scrape: its baseline
    await scraper.tick()
    statuses = hit(parkwise.base_url, "/api/facilities", 80)
    scraper.clock.advance(timedelta(seconds=15))
    await scraper.tick()

    now = T0 + timedelta(minutes=2)
    errors, fast, between = (evaluate(s, Reader.of(store), now) for s in loaded.config.slos)
    good, bad = statuses.count(200), statuses.count(500)
    assert good + bad == 80 and bad > 0
    assert (errors.counts.good, errors.counts.total) == (good, 80)
    assert errors.attainment == pytest.approx(good / 80)
    # 1 % of 80 requests may fail: 0.8; every 500 beyond that overspends
    assert errors.budget.remaining_share == pytest.approx((0.8 - bad) / 0.8)
    assert (fast.counts.good, fast.counts.total) == (good, 80)  # all faster than 5 s
    # 123 ms is not a bound of ParkWise's histogram: said, not guessed
    assert between.unmeasurable and "123" in between.note
