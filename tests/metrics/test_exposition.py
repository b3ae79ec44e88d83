"""The exposition format: the request histogram found by name, garbage refused with a message,
deltas between scrapes with counter resets."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from golive.exceptions import SourceError
from golive.metrics.exposition import parse, request_histogram, series_count, status_of
from golive.metrics.scrape import deltas

MINUTE = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


def exposition(ok: int, failed: int, fast: int | None = None) -> str:
    fast = ok if fast is None else fast
    lines = ["# TYPE http_request_duration_seconds histogram"]
    for status, count, below in (("200", ok, fast), ("500", failed, failed)):
        labels = f'route="/api",method="GET",status="{status}"'
        lines += [
            f'http_request_duration_seconds_bucket{{{labels},le="0.1"}} {below}',
            f'http_request_duration_seconds_bucket{{{labels},le="+Inf"}} {count}',
            f"http_request_duration_seconds_count{{{labels}}} {count}",
            f"http_request_duration_seconds_sum{{{labels}}} 1.5",
        ]
    lines += [
        "# TYPE queue_depth gauge",
        "queue_depth 3",
        "# TYPE rpc_seconds summary",
        'rpc_seconds{quantile="0.5"} 0.2',
        "rpc_seconds_count 4",
        "rpc_seconds_sum 1.0",
    ]
    return "\n".join(lines) + "\n"


def test_counters_gauges_histograms_and_summaries_parse() -> None:
    families = parse(exposition(10, 2))
    assert {f.type for f in families} == {"histogram", "gauge", "summary"}
    assert series_count(families) == 8 + 1 + 3


@pytest.mark.parametrize(
    "garbage", ["<html><body>502 Bad Gateway</body></html>", "metric{a=1} x", 'a{b="c} 1']
)
def test_garbage_is_a_source_error_with_a_message(garbage: str) -> None:
    with pytest.raises(SourceError, match="not Prometheus text format"):
        parse(garbage)


def test_a_target_without_a_request_histogram_says_which_histograms_it_has() -> None:
    text = '# TYPE db_seconds histogram\ndb_seconds_bucket{le="+Inf"} 1\ndb_seconds_count 1\n'
    with pytest.raises(
        SourceError, match=r"no request histogram .* \(histograms there: db_seconds\)"
    ):
        request_histogram(parse(text))
    name, series = request_histogram(parse(text), "db_seconds")
    assert (name, series[0].count) == ("db_seconds", 1.0)


def test_status_comes_from_the_common_status_labels() -> None:
    assert status_of({"status": "503"}) == 503
    assert status_of({"code": "2xx"}) == 0
    assert status_of({"route": "/"}) == 0


def test_the_first_scrape_is_only_a_baseline_then_deltas_count() -> None:
    _, first = request_histogram(parse(exposition(10, 2)))
    minutes, state = deltas("app", MINUTE, first, None)
    assert minutes == []
    _, second = request_histogram(parse(exposition(15, 5, fast=14)))
    minutes, state = deltas("app", MINUTE, second, state)
    by_status = {m.labels["status"]: m for m in minutes}
    assert (by_status["200"].count, by_status["200"].errors) == (5, 0)
    assert (by_status["500"].count, by_status["500"].errors) == (3, 3)
    assert dict(by_status["200"].histogram.counts) == {100.0: 4, math.inf: 1}


def test_a_counter_that_went_down_was_reset_and_counts_from_zero() -> None:
    _, before = request_histogram(parse(exposition(100, 20)))
    _, state = deltas("app", MINUTE, before, None)
    _, after = request_histogram(parse(exposition(7, 1)))  # the app restarted
    minutes, _ = deltas("app", MINUTE, after, state)
    assert sorted((m.labels["status"], m.count) for m in minutes) == [("200", 7), ("500", 1)]


def test_an_unchanged_scrape_records_nothing() -> None:
    _, series = request_histogram(parse(exposition(10, 2)))
    _, state = deltas("app", MINUTE, series, None)
    assert deltas("app", MINUTE, series, state)[0] == []


def test_a_restart_resets_every_series_even_one_that_grew_past_its_old_count() -> None:
    _, before = request_histogram(parse(exposition(100, 2)))
    _, state = deltas("app", MINUTE, before, None)
    _, after = request_histogram(parse(exposition(7, 5)))  # 500s: 2 before, 5 since restart
    minutes, _ = deltas("app", MINUTE, after, state)
    assert sorted((m.labels["status"], m.count) for m in minutes) == [("200", 7), ("500", 5)]


def test_a_changed_created_time_is_a_reset() -> None:
    text = (
        "# TYPE http_request_duration_seconds histogram\n"
        'http_request_duration_seconds_bucket{le="+Inf"} 5\n'
        "http_request_duration_seconds_count 5\n"
        "# TYPE http_request_duration_seconds_created gauge\n"
        "http_request_duration_seconds_created CREATED\n"
    )
    _, before = request_histogram(parse(text.replace("CREATED", "1000.0")))
    assert before[0].created == 1000.0
    _, state = deltas("app", MINUTE, before, None)
    _, after = request_histogram(parse(text.replace("5", "9").replace("CREATED", "2000.0")))
    (minute,) = deltas("app", MINUTE, after, state)[0]
    assert minute.count == 9
