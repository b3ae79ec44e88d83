"""`golive loadtest`: the open model against servers with known latencies, through the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from devkit.latency_server import percentile, truth
from golive.cli import app
from golive.config import load_config
from golive.engine import open_store
from golive.loadtest.plan import make_plan
from tests.loadtest.conftest import StartLatency

runner = CliRunner()


def write(tmp_path: Path, base_url: str, body: str) -> Path:
    path = tmp_path / "golive.yaml"
    path.write_text(
        f"version: 1\nproject: shop\nloadtests:\n  - name: peak\n    base_url: {base_url}\n" + body
    )
    return path


def loadtest(config: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["loadtest", "peak", "--json", "-c", str(config), *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


STALLED = """\
    rate: 200/s
    duration: 4s
    requests:
      - {name: fast, class: fast, path: "/sleep?ms=20", weight: 9}
      - {name: slow, class: slow, path: "/sleep?ms=100", weight: 1}
    sla:
      fast: {p99: 200ms}
      slow: {p50: 300ms}
"""


def test_a_one_second_stall_shows_in_the_percentiles_as_it_really_was(
    tmp_path: Path, latency_server: StartLatency
) -> None:
    server = latency_server(stall_at=1.5, stall_for=1.0)
    config = write(tmp_path, server.url, STALLED)
    code, report = loadtest(config)

    plan = make_plan(load_config(config, environ=dict(os.environ)).config.loadtests[0])
    spec = plan.workers[0]
    mix, ms = spec.mix(), [20.0 if r.klass == "fast" else 100.0 for r in spec.requests]
    exact = truth([(i / 200, ms[mix[i % len(mix)]]) for i in range(800)], 1.5, 1.0)
    overall = report["overall"]
    assert (code, report["verdict"], report["requests"], report["errors"]) == (1, "FAIL", 800, 0)
    # never below the truth by more than 5 % (a client that waits for answers reports ~20 ms
    # here); above it only by what a busy machine adds reading the answers the stall releases
    # together (bench/loadtest.py, on one core, holds 5 % both ways)
    exact_p99 = percentile(exact, 99)
    assert 0.95 * exact_p99 <= overall["p99_ms"] <= 1.25 * exact_p99
    # the median is a 20 ms answer: a busy machine adds a few ms, never takes any away
    # above the truth only by what the machine adds (the test server is Python on shared
    # cores: under a loaded `make test` its own delay reaches tens of ms); bench/loadtest.py
    # measures the accuracy itself, on a quiet machine
    assert percentile(exact, 50) - 1 <= overall["p50_ms"] <= percentile(exact, 50) + 100
    assert overall["max_ms"] >= 950  # the stall in full, not hidden behind a waiting client
    assert report["classes"]["fast"]["count"] == 720 and report["classes"]["slow"]["count"] == 80
    failed = [row for row in report["sla"] if not row["ok"]]
    assert [(r["class"], r["stat"]) for r in failed] == [("fast", "p99")]


def test_the_json_report_has_every_documented_field(
    tmp_path: Path, latency_server: StartLatency
) -> None:
    server = latency_server()
    config = write(
        tmp_path,
        server.url,
        "    rate: 50/s\n    duration: 1s\n    requests: [{name: a, path: /sleep?ms=1}]\n"
        "    sla: {default: {p95: 500ms}, error_rate: 1%}\n",
    )
    code, report = loadtest(config)
    assert code == 0, report
    assert {
        "name",
        "verdict",
        "asked_rate",
        "achieved_rate",
        "duration_s",
        "requests",
        "errors",
        "error_rate",
        "overall",
        "classes",
        "sla",
    } <= set(report)
    stat_keys = {"count", "errors", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms"}
    assert set(report["overall"]) == stat_keys == set(report["classes"]["default"])
    assert [set(row) for row in report["sla"]] == [{"class", "stat", "limit", "value", "ok"}] * 2
    assert report["verdict"] == "PASS" and report["asked_rate"] == 50
    assert abs(report["achieved_rate"] - 50) < 2.5


def test_workers_split_the_rate_and_their_histograms_merge_exactly(
    tmp_path: Path, latency_server: StartLatency
) -> None:
    server = latency_server()
    config = write(
        tmp_path,
        server.url,
        "    rate: 300/s\n    duration: 2s\n    requests:\n"
        "      - {name: a, class: a, path: /sleep?ms=2, weight: 2}\n"
        "      - {name: b, class: b, path: /sleep?ms=30}\n",
    )
    _, report = loadtest(config, "--workers", "2")  # PASS or FAIL: on a busy machine it may lag
    assert (report["workers"], report["requests"], report["errors"]) == (2, 600, 0)
    assert (report["classes"]["a"]["count"], report["classes"]["b"]["count"]) == (400, 200)
    assert report["classes"]["b"]["p50_ms"] >= 30
    assert report["overall"]["max_ms"] == max(c["max_ms"] for c in report["classes"].values())


def test_headers_from_env_secrets_are_sent_and_never_shown(
    tmp_path: Path, latency_server: StartLatency, monkeypatch: Any
) -> None:
    server = latency_server()
    monkeypatch.setenv("SHOP_TOKEN", "s3cr3t-load-token-value")
    config = write(
        tmp_path,
        server.url,
        "    rate: 20/s\n    duration: 1s\n    requests:\n"
        "      - {name: a, path: /sleep, method: POST, json: {plate: CT-1},"
        " headers: {Authorization: 'Bearer ${env:SHOP_TOKEN}'}}\n",
    )
    result = runner.invoke(app, ["loadtest", "peak", "-c", str(config)])
    assert result.exit_code == 0, result.output
    assert "s3cr3t" not in result.output
    import urllib.request

    with urllib.request.urlopen(server.url + "/seen") as seen:
        assert int(seen.read()) == 20
    store = open_store(load_config(config, environ=dict(os.environ)))
    try:
        record = store.latest("loadtest", "peak")
    finally:
        store.close()
    assert record is not None and record.ok
    assert "s3cr3t" not in json.dumps(record.values)


def test_the_closed_model_is_corrected_and_says_it_is_the_weaker_one(
    tmp_path: Path, latency_server: StartLatency
) -> None:
    server = latency_server(stall_at=0.5, stall_for=1.0)
    config = write(
        tmp_path,
        server.url,
        "    rate: 40/s\n    duration: 2s\n    users: 4\n    think_time: 10ms\n"
        "    requests: [{name: a, path: /sleep?ms=2}]\n",
    )
    _, report = loadtest(config)
    assert report["model"] == "closed" and report["users"] == 4
    assert "closed model (4 users), the weaker model" in report["warnings"][0]
    # 4 users stall once each for ~1 s; the wrk2 correction back-fills the sends they missed
    assert report["overall"]["p90_ms"] >= 400
    assert report["requests"] < 80  # the users waited: fewer requests than asked
