"""``request_window`` / ``request_minutes``: rates, error rates, percentiles and good counts
merged from per-minute rows, filtered by labels; rows merge on write and go with retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from golive.records import BucketError, Histogram, RequestMinute, SourceHealth
from golive.store import Store
from golive.store.requests import load_source, request_minutes, request_window, save_reading
from golive.store.retention import Keep, prune

T0 = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def minute(
    at: int, status: int, latencies: list[float], route: str = "/api", upstream: str = "a:1"
) -> RequestMinute:
    labels = {"method": "GET", "route": route, "status": str(status), "upstream": upstream}
    errors = len(latencies) if status >= 500 else 0
    return RequestMinute(
        "edge", T0 + at * MIN, labels, len(latencies), errors, Histogram.of_latencies_ms(latencies)
    )


def save(store: Store, *minutes: RequestMinute, state: dict[str, int] | None = None) -> None:
    save_reading(
        store,
        source="edge",
        kind="access_log",
        minutes=minutes,
        state=state or {},
        health=SourceHealth("edge", "access_log", lines=len(minutes)),
    )


def test_a_window_merges_its_minutes(store: Store) -> None:
    save(store, minute(0, 200, [10.0] * 90), minute(0, 500, [900.0] * 10))
    save(store, minute(1, 200, [20.0] * 50, route="/b"), minute(5, 200, [1.0]))
    window = request_window(store, "edge", start=T0, end=T0 + 2 * MIN)
    assert (window.count, window.errors, window.seconds) == (150, 10, 120.0)
    assert window.rate == 150 / 120
    assert window.error_rate == pytest.approx(10 / 150)
    assert window.percentile_ms(0.5) == pytest.approx(10.0, rel=1e-3)
    assert window.percentile_ms(0.99) == pytest.approx(900.0, rel=1e-3)
    assert window.good(status_below=500) == 140
    assert window.good(latency_below_ms=15.0) == 90
    assert window.good(status_below=500, latency_below_ms=500.0) == 140
    assert window.good(status_below=500, latency_below_ms=15.0) == 90
    stats = window.stats()
    assert set(stats) == {"rate", "count", "error_rate", "p50_ms", "p90_ms", "p95_ms", "p99_ms"}
    assert stats["count"] == 150.0


def test_where_keeps_the_label_sets_that_match(store: Store) -> None:
    save(store, minute(0, 200, [10.0] * 3), minute(0, 200, [30.0] * 2, upstream="b:2"))
    only_b = request_window(store, "edge", start=T0, end=T0 + MIN, where={"upstream": "b:2"})
    assert (only_b.count, only_b.percentile_ms(0.5)) == (2, pytest.approx(30.0, rel=1e-3))
    none = request_window(store, "edge", start=T0, end=T0 + MIN, where={"route": "/nope"})
    assert (none.count, none.error_rate, none.percentile_ms(0.5)) == (0, 0.0, None)


def test_saving_the_same_minute_twice_adds_to_it(store: Store) -> None:
    save(store, minute(0, 200, [10.0] * 3), state={"offset": 1})
    save(store, minute(0, 200, [10.0] * 4), state={"offset": 2})
    assert request_window(store, "edge", start=T0, end=T0 + MIN).count == 7
    state, health = load_source(store, "edge") or ({}, None)
    assert state == {"offset": 2}
    assert health is not None and health.kind == "access_log"


def test_request_minutes_gives_one_window_per_minute(store: Store) -> None:
    save(store, minute(0, 200, [10.0]), minute(2, 500, [10.0] * 2), minute(2, 200, [5.0]))
    found = request_minutes(store, "edge", start=T0, end=T0 + 3 * MIN)
    assert [(m, w.count, w.errors) for m, w in found] == [(T0, 1, 0), (T0 + 2 * MIN, 3, 2)]


def test_a_scraped_window_needs_a_bucket_bound_for_latency(sqlite_store: Store) -> None:
    row = RequestMinute("edge", T0, {"status": "200"}, 5, 0, Histogram("le", {100.0: 4, 250.0: 1}))
    save(sqlite_store, row)
    window = request_window(sqlite_store, "edge", start=T0, end=T0 + MIN)
    assert window.good(latency_below_ms=100.0) == 4
    with pytest.raises(BucketError, match="buckets: 100ms, 250ms"):
        window.good(latency_below_ms=200.0)


def test_retention_prunes_old_request_minutes(sqlite_store: Store) -> None:
    save(sqlite_store, minute(0, 200, [1.0]), minute(60 * 24 * 40, 200, [1.0]))
    keep = Keep(*(timedelta(days=400),) * 6, requests=timedelta(days=35))
    removed = prune(sqlite_store, T0 + timedelta(days=40, minutes=1), keep)
    assert removed == {"request_minutes": 1}
    assert request_window(sqlite_store, "edge", start=T0, end=T0 + timedelta(days=41)).count == 1
