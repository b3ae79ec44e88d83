"""An outside oracle: a real Prometheus scrapes the same ParkWise as golive; golive's error
ratio over each window matches PromQL's ``increase()``-based ratio within 1 %, across a
restart of the app (a counter reset). Also the ``prometheus_query`` client's instant and range
queries, and its errors."""

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
from golive.exceptions import SourceError
from golive.metrics.promquery import PrometheusClient
from golive.store import Store
from golive.store.requests import request_window
from tests.devkit.metrics import Harness, Parkwise, config, hit

T0 = datetime(2026, 12, 7, 15, 0, 30, tzinfo=UTC)
M1, M2 = datetime(2026, 12, 7, 15, 1, tzinfo=UTC), datetime(2026, 12, 7, 15, 2, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
ROUTE = {"route": "/api/facilities", "method": "GET"}


@pytest.fixture
def parkwise(tmp_path: Path) -> Iterator[Parkwise]:
    app = Parkwise(tmp_path, free_port())
    yield app
    app.stop()


class Oracle:
    def __init__(self, prometheus: PrometheusServer, port: int) -> None:
        self.client = PrometheusClient(prometheus.url)
        self.series = (
            f'http_request_duration_seconds_count{{instance="127.0.0.1:{port}",'
            f'route="/api/facilities",method="GET"'
        )

    async def seen(self, total: int) -> float:
        """Wait until Prometheus has scraped ``total`` requests; the sample's timestamp."""
        deadline = time.monotonic() + 20
        while True:
            found = await self.client.query(f"sum({self.series}}})")
            if found and found[0][1] == total:
                stamps = await self.client.query(f"max(timestamp({self.series}}}))")
                return stamps[0][1]
            assert time.monotonic() < deadline, f"Prometheus saw {found}, not {total}"
            await asyncio.sleep(0.1)

    async def error_ratio(self, start: float, end: float) -> float:
        window = f"{round((end - start) * 1000) + 1}ms"
        errors = f'sum(increase({self.series},status=~"5.."}}[{window}]))'
        total = f"sum(increase({self.series}}}[{window}]))"
        at = datetime.fromtimestamp(end, UTC)
        (answer,) = await self.client.query(f"{errors} / {total}", at=at)
        return answer[1]


async def test_golive_error_ratios_match_promql_increase_within_one_percent(
    tmp_path: Path,
    parkwise: Parkwise,
    prometheus_server: PrometheusServer,
    sqlite_store: Store,
) -> None:
    parkwise.start(error_rate="0.2", seed="3")
    prometheus_server.scrape([f"127.0.0.1:{parkwise.port}"])
    oracle = Oracle(prometheus_server, parkwise.port)
    body = f"metrics:\n  - {{name: app, prometheus: {{url: '{parkwise.base_url}/metrics'}}}}\n"
    golive = Harness(config(tmp_path, body), sqlite_store, ManualClock(T0))

    assert 500 in hit(parkwise.base_url, "/api/facilities", 60)  # every series exists
    start = await oracle.seen(60) - 0.001
    await golive.tick()  # baseline
    hit(parkwise.base_url, "/api/facilities", 300)
    middle = await oracle.seen(360)
    golive.clock.advance(MINUTE)
    await golive.tick()  # minute M1

    parkwise.stop()  # a deploy: the counters start again from zero
    parkwise.start(error_rate="0.5", seed="4")
    # Prometheus tells a reset from a count that went down, per series: let it scrape small
    # counts first (golive needs no such help: one series going down resets them all)
    assert 500 in hit(parkwise.base_url, "/api/facilities", 20)
    await oracle.seen(20)
    hit(parkwise.base_url, "/api/facilities", 280)
    end = await oracle.seen(300)
    golive.clock.advance(MINUTE)
    await golive.tick()  # minute M2

    def ours(first: datetime, last: datetime) -> float:
        window = request_window(sqlite_store, "app", start=first, end=last + MINUTE, where=ROUTE)
        return window.error_rate

    for mine, theirs in [
        (ours(M1, M1), await oracle.error_ratio(start, middle)),
        (ours(M2, M2), await oracle.error_ratio(middle - 0.001, end)),
        (ours(M1, M2), await oracle.error_ratio(start, end)),
    ]:
        assert mine == pytest.approx(theirs, rel=0.01)
    assert request_window(sqlite_store, "app", start=M1, end=M2 + MINUTE, where=ROUTE).count == 600

    series = await oracle.client.query_range(
        f"sum({oracle.series}}})",
        start=datetime.fromtimestamp(start, UTC),
        end=datetime.fromtimestamp(end, UTC),
        step=timedelta(seconds=1),
    )
    values = [value for _, points in series for _, value in points]
    assert values[0] == 60 and max(values) == 360  # the total before the restart


async def test_prometheus_query_errors_are_source_errors(
    prometheus_server: PrometheusServer, silent_port: int
) -> None:
    with pytest.raises(SourceError, match="parse error"):
        await PrometheusClient(prometheus_server.url).query("sum(")
    with pytest.raises(SourceError, match="timed out"):
        await PrometheusClient(f"http://127.0.0.1:{silent_port}", timeout=0.3).query("up")
    assert await PrometheusClient(prometheus_server.url).query("vector(2)") == [({}, 2.0)]
