"""Prometheus as the analysis source: a real Prometheus scrapes real ParkWise processes behind
a real nginx; a canary with errors is rolled back on the figures PromQL gives (by threshold and
by being worse than stable); a Prometheus that does not answer holds the step, then rolls back;
the query templates' placeholders and the answers' shapes."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devkit.ports import free_port
from devkit.prometheus import PrometheusServer
from golive.config import LoadedConfig, load_config
from golive.exceptions import ConfigError
from golive.gate.registry import argument_models
from golive.records.rollouts import RolloutEvent, RolloutView
from golive.rollout.analysis_prometheus import buckets, pool_regex
from tests.rollout.conftest import Edge, Load, Parkwise, roll_out, run_rollout

ROLLOUT = """rollouts:
  - name: api
    strategy: canary
    traffic: {traffic}
    stable: [{stable}]
    steps: [10, 50, 100]
    pause: {pause}
    interval: 500ms
    analysis: {analysis}
"""


def config(
    folder: Path, url: str, traffic: str, stable: str, analysis: str, pause: str = "30s"
) -> LoadedConfig:
    """A config whose only metrics source is Prometheus (``prom``): no access log is read."""
    path = folder / "golive.yaml"
    path.write_text(
        "version: 1\nproject: shop\nstore: sqlite:///golive.db\n"
        f"metrics:\n  - name: prom\n    prometheus_query: {{url: '{url}'}}\n"
        + ROLLOUT.format(traffic=traffic, stable=stable, analysis=analysis, pause=pause)
    )
    return load_config(path, environ={}, gate_args=argument_models())


@dataclass
class Outcome:
    """A rollout of a faulty 2.0.0 (``canary``) beside a sound 1.0.0 (``stable``) that
    Prometheus judged: how it ended, its events, what the load saw, the edge in front."""

    done: RolloutView
    events: list[RolloutEvent]
    load: Load
    front: Edge
    stable: str
    canary: str

    def judgement(self) -> Mapping[str, Any]:
        """The figures of the judgement that ended it."""
        return next(e for e in self.events if e.kind == "judgement").data


@pytest.fixture
def rolled_back(
    parkwise: Parkwise,
    edge: Callable[[list[str]], Edge],
    prometheus_server: PrometheusServer,
    tmp_path: Path,
) -> Callable[..., Awaitable[Outcome]]:
    """``await rolled_back(analysis, **fault)``: ParkWise 2.0.0 started with ``fault`` (its
    env) is rolled out beside 1.0.0 under ``analysis``, both scraped by Prometheus; the
    rollout must end rolled back with only 1.0.0 live."""

    async def roll(analysis: str, **fault: str) -> Outcome:
        v1, v2 = parkwise("1.0.0"), parkwise("2.0.0", **fault)
        prometheus_server.scrape([v1, v2])
        front = edge([v1])
        loaded = config(tmp_path, prometheus_server.url, front.traffic(), v1, analysis)
        done, events, load = await roll_out(front.url, loaded, [v2], "2.0.0", within=40)
        assert done.state == "rolled_back", done
        assert front.live() == [v1]
        return Outcome(done, events, load, front, v1, v2)

    return roll


async def test_a_canary_with_errors_is_rolled_back_on_what_prometheus_counts(
    rolled_back: Callable[..., Awaitable[Outcome]],
) -> None:
    analysis = "{requests: prom, max_error_rate: 1%, min_requests: 30}"
    out = await rolled_back(analysis, error_rate="0.2")
    done = out.done
    assert done.reason.startswith("error rate"), done.reason
    assert out.judgement()["errors"] >= 1
    assert 0.05 < out.judgement()["error_rate"] < 0.5  # v2 fails one request in five
    first_step = next(e.at for e in out.events if e.kind == "step")
    assert done.finished_at is not None
    assert (done.finished_at - first_step).total_seconds() < 10  # not the 30 s pause
    assert out.load.broken == [] and out.front.failures_not_from({out.canary}) == []


async def test_a_canary_worse_than_stable_is_rolled_back_on_prometheus_counts_and_buckets(
    rolled_back: Callable[..., Awaitable[Outcome]],
) -> None:
    analysis = "{requests: prom, min_requests: 40, compare_to_stable: true}"
    out = await rolled_back(analysis, error_rate="0.2")
    assert "vs stable" in out.done.reason and "confidence" in out.done.reason, out.done.reason
    figures = out.judgement()
    assert figures["stable_requests"] > figures["requests"] >= 40  # 10 % on the canary
    assert figures["stable_error_rate"] < 0.01 < figures["error_rate"]
    assert figures["errors_p_value"] < 0.02
    assert "latency_p_value" in figures  # bucket counts: the Mann-Whitney test ran too


P95 = (
    "histogram_quantile(0.95, sum by (le) "
    '(rate(http_request_duration_seconds_bucket{instance=~\\"$pool\\"}[$interval])))'
)


async def test_a_slow_canary_is_rolled_back_on_a_p95_query_without_a_latency_test(
    rolled_back: Callable[..., Awaitable[Outcome]],
) -> None:
    analysis = (
        "{requests: prom, max_p95: 300ms, min_requests: 10, compare_to_stable: true,"
        f' queries: {{p95: "{P95}"}}}}'
    )
    out = await rolled_back(analysis, latency_ms="400")
    assert out.done.reason.startswith("p95 "), out.done.reason
    figures = out.judgement()
    assert figures["p95_ms"] > 300
    assert "latency_p_value" not in figures  # a quantile is no sample: no Mann-Whitney test


@pytest.fixture
async def listener() -> AsyncIterator[str]:
    """A HOST:PORT that accepts connections (the smoke step's "is it listening")."""
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", free_port())
    host, port = server.sockets[0].getsockname()[:2]
    yield f"{host}:{port}"
    server.close()
    await server.wait_closed()


async def test_a_prometheus_that_does_not_answer_holds_the_step_then_rolls_back(
    listener: str, tmp_path: Path
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    traffic = "{command: {set: 'true'}}"
    analysis = "{requests: prom, max_error_rate: 1%, min_requests: 1}"
    loaded = config(tmp_path, nowhere, traffic, "127.0.0.1:9", analysis, pause="1s")
    done, events = await run_rollout(loaded, [listener], "2", within=15)
    kinds = [e.kind for e in events]
    assert done.state == "rolled_back"
    assert done.reason.startswith("analysis: http://127.0.0.1:"), done.reason
    assert kinds == ["started", "smoke", "step", "rolled_back"]


def test_a_pool_is_one_regex_escaped_for_a_promql_string() -> None:
    assert pool_regex(("127.0.0.1:8001", "10.0.0.2:80")) == (
        "127\\\\.0\\\\.0\\\\.1:8001|10\\\\.0\\\\.0\\\\.2:80"
    )


def test_cumulative_buckets_become_counts_per_bucket_in_milliseconds() -> None:
    answer = [({"le": "0.1"}, 7.9), ({"le": "0.005"}, 2.2), ({"le": "+Inf"}, 10.0), ({}, 3.0)]
    histogram = buckets(answer)
    assert histogram.kind == "le"
    assert dict(histogram.counts) == {5.0: 2, 100.0: 6, math.inf: 2}
    assert buckets([({"le": "0.1"}, 4.0), ({"le": "+Inf"}, 3.6)]).counts[math.inf] == 0


def test_an_unknown_placeholder_in_a_query_is_refused_at_load(tmp_path: Path) -> None:
    analysis = "{requests: prom, queries: {errors: 'sum(x{instance=~\"$pod\"})'}}"
    with pytest.raises(ConfigError, match=r"unknown placeholder \$pod"):
        config(tmp_path, "http://127.0.0.1:9", "{command: {set: 'true'}}", "127.0.0.1:9", analysis)


def test_queries_with_an_access_log_source_are_refused_at_load(tmp_path: Path) -> None:
    path = tmp_path / "golive.yaml"
    path.write_text(
        "version: 1\nproject: shop\nstore: sqlite:///golive.db\n"
        "metrics:\n  - {name: edge, access_log: {path: access.log}}\n"
        + ROLLOUT.format(
            traffic="{command: {set: 'true'}}",
            stable="127.0.0.1:9",
            analysis="{requests: edge, queries: {p95: 'x'}}",
            pause="1s",
        )
    )
    with pytest.raises(ConfigError, match="metrics source edge is access_log"):
        load_config(path, environ={}, gate_args=argument_models())
