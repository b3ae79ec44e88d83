"""Scraping a real ParkWise ``/metrics`` into request windows; a target that returns garbage
or never answers is recorded in the source's health, and nothing crashes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devkit.ports import free_port
from devkit.pytest_plugin import NginxFactory
from golive.clock import ManualClock
from golive.store import Store
from golive.store.requests import load_source, request_window
from tests.devkit.metrics import Harness, Parkwise, config, hit

T0 = datetime(2026, 12, 7, 15, 0, 30, tzinfo=UTC)


@pytest.fixture
def parkwise(tmp_path: Path) -> Iterator[Parkwise]:
    app = Parkwise(tmp_path, free_port()).start(error_rate="0.25", seed="7")
    yield app
    app.stop()


def scraping(tmp_path: Path, url: str, store: Store, extra: str = "") -> Harness:
    body = f"metrics:\n  - {{name: app, prometheus: {{url: '{url}', every: 15s{extra}}}}}\n"
    return Harness(config(tmp_path, body), store, ManualClock(T0))


async def test_parkwise_requests_are_counted_from_its_histogram(
    tmp_path: Path, parkwise: Parkwise, sqlite_store: Store
) -> None:
    h = scraping(tmp_path, f"{parkwise.base_url}/metrics", sqlite_store)
    hit(parkwise.base_url, "/api/facilities", 1)  # before the first scrape: its baseline
    await h.tick()
    statuses = hit(parkwise.base_url, "/api/facilities", 40)
    h.clock.advance(timedelta(seconds=15))
    await h.tick()
    where = {"route": "/api/facilities", "method": "GET"}
    window = request_window(
        sqlite_store,
        "app",
        start=T0 - timedelta(minutes=1),
        end=T0 + timedelta(minutes=5),
        where=where,
    )
    assert window.count == 40
    assert window.errors == statuses.count(500) > 0
    assert window.good(status_below=500, latency_below_ms=5000.0) == statuses.count(200)
    _, health = load_source(sqlite_store, "app") or ({}, None)
    assert health is not None and health.ok and health.scrapes == 2 and health.series > 10


async def test_a_scrape_is_due_only_every_every(
    tmp_path: Path, parkwise: Parkwise, sqlite_store: Store
) -> None:
    h = scraping(tmp_path, f"{parkwise.base_url}/metrics", sqlite_store)
    await h.tick()
    h.clock.advance(timedelta(seconds=5))
    await h.tick()
    _, health = load_source(sqlite_store, "app") or ({}, None)
    assert health is not None and health.scrapes == 1


async def test_garbage_from_the_target_is_a_clear_error_in_its_health(
    tmp_path: Path, nginx_factory: NginxFactory, sqlite_store: Store
) -> None:
    port = free_port()
    nginx_factory(
        f"server {{ listen 127.0.0.1:{port}; location / {{ return 200 '<html>hi</html>'; }} }}",
        ports=[port],
    )
    h = scraping(tmp_path, f"http://127.0.0.1:{port}/metrics", sqlite_store)
    await h.tick()
    _, health = load_source(sqlite_store, "app") or ({}, None)
    assert health is not None and not health.ok and health.failed_scrapes == 1
    assert health.last_error is not None
    assert health.last_error.startswith("not Prometheus text format")


async def test_a_target_that_never_answers_times_out_into_its_health(
    tmp_path: Path, silent_port: int, sqlite_store: Store
) -> None:
    url = f"http://127.0.0.1:{silent_port}/metrics"
    h = scraping(tmp_path, url, sqlite_store, extra=", timeout: 300ms")
    await h.tick()
    _, health = load_source(sqlite_store, "app") or ({}, None)
    assert health is not None and health.last_error == f"scrape of {url}: timed out after 0.3s"


async def test_a_requests_rule_gets_a_signal_with_the_window_stats(
    tmp_path: Path, parkwise: Parkwise, sqlite_store: Store
) -> None:
    body = f"""\
metrics:
  - {{name: app, prometheus: {{url: '{parkwise.base_url}/metrics', every: 15s}}}}
alerts:
  - {{name: errors, requests: app, when: error_rate > 0.1, over: 5m}}
"""
    h = Harness(config(tmp_path, body), sqlite_store, ManualClock(T0))
    await h.tick()
    hit(parkwise.base_url, "/api/facilities", 40)
    h.clock.advance(timedelta(seconds=15))
    await h.tick()
    signal = h.signals[-1]
    assert signal.rule == "errors" and signal.error is None
    assert signal.values["count"] >= 40
    assert 0 < signal.values["error_rate"] < 1
    assert signal.target == "app over the last 5m"
