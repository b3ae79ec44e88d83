"""The outside oracle, scraped live: a real Prometheus and golive's metrics service scrape the
same ParkWise; the burn rate of a requests SLO over each window of its multiwindow table (all of
them longer than the test, so each holds every request) matches PromQL's ``increase()`` error
ratio over the same requests, divided by the allowed error ratio, within 1 %."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devkit.ports import free_port
from devkit.prometheus import PrometheusServer
from golive.clock import ManualClock
from golive.metrics.promquery import PrometheusClient
from golive.slo.sli import Reader
from golive.slo.status import evaluate
from golive.store import Store, normalise_url
from tests.devkit.metrics import Harness, Parkwise, config, hit

T0 = datetime(2026, 12, 7, 15, 0, 30, tzinfo=UTC)
BODY = """\
metrics:
  - {{name: app, prometheus: {{url: "{url}"}}}}
slos:
  - name: errors
    objective: 99%
    window: 30d
    sli: {{requests: app, where: {{route: /api/facilities, method: GET}}, good: {{status_below: 500}}}}
"""


@pytest.fixture
def parkwise(tmp_path: Path) -> Iterator[Parkwise]:
    app = Parkwise(tmp_path, free_port())
    yield app
    app.stop()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(normalise_url("sqlite:///state/golive.db", tmp_path))
    yield opened
    opened.close()


async def test_the_burn_rate_over_each_window_matches_promql(
    tmp_path: Path, parkwise: Parkwise, prometheus_server: PrometheusServer, store: Store
) -> None:
    parkwise.start(error_rate="0.2", seed="11")
    prometheus_server.scrape([f"127.0.0.1:{parkwise.port}"])
    client = PrometheusClient(prometheus_server.url)
    series = (
        f'http_request_duration_seconds_count{{instance="127.0.0.1:{parkwise.port}",'
        f'route="/api/facilities",method="GET"'
    )

    async def seen(total: int) -> float:
        deadline = time.monotonic() + 20
        while True:
            found = await client.query(f"sum({series}}})")
            if found and found[0][1] == total:
                return (await client.query(f"max(timestamp({series}}}))"))[0][1]
            assert time.monotonic() < deadline, f"Prometheus saw {found}, not {total}"
            await asyncio.sleep(0.1)

    loaded = config(tmp_path, BODY.format(url=f"{parkwise.base_url}/metrics"))
    golive = Harness(loaded, store, ManualClock(T0))
    assert 500 in hit(parkwise.base_url, "/api/facilities", 40)  # every series exists
    start = await seen(40) - 0.001
    await golive.tick()  # golive's baseline
    hit(parkwise.base_url, "/api/facilities", 400)
    end = await seen(440)
    golive.clock.advance(timedelta(minutes=1))
    await golive.tick()

    window = f"{round((end - start) * 1000) + 1}ms"
    errors = f'sum(increase({series},status=~"5.."}}[{window}]))'
    total = f"sum(increase({series}}}[{window}]))"
    (answer,) = await client.query(f"{errors} / {total}", at=datetime.fromtimestamp(end, UTC))
    [slo] = loaded.config.slos
    expected = answer[1] / (1 - slo.objective)
    status = evaluate(slo, Reader.of(store), golive.clock.now() + timedelta(minutes=1))
    assert status.counts.total == 400
    assert set(status.burn) == {timedelta(minutes=m) for m in (5, 30, 60, 120, 360, 1440, 4320)}
    for window_length, burn in status.burn.items():
        assert burn == pytest.approx(expected, rel=0.01), (window_length, burn, expected)
    assert expected > 14.4  # a fifth of the requests fail: this SLO pages
