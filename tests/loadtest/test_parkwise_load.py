"""Real load against ParkWise with an injected latency distribution: the percentiles
`golive loadtest` reports match the distribution, class by class."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from devkit.ports import free_port, wait_for_port
from golive.cli import app

EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples" / "parkwise"
runner = CliRunner()


@pytest.fixture
def parkwise(tmp_path: Path) -> Iterator[str]:
    """ParkWise (SQLite) whose /api/* answers take 40 ms (80 %) or 250 ms (20 %) longer."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARKWISE_")}
    env.update(
        PYTHONPATH=str(EXAMPLE_DIR),
        PARKWISE_PORT=str(port),
        PARKWISE_DATA_DIR=str(tmp_path),
        PARKWISE_LATENCY_MIX="40:80,250:20",
        PARKWISE_SEED="7",
    )
    log = tmp_path / "parkwise.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "parkwise"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_for_port(port, timeout=30, proc=proc, log=log)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_the_percentiles_match_the_injected_latency_distribution(
    parkwise: str, tmp_path: Path
) -> None:
    config = tmp_path / "golive.yaml"
    config.write_text(
        f"""\
version: 1
project: parkwise
loadtests:
  - name: peak
    base_url: {parkwise}
    rate: 30/s
    duration: 4s
    requests:
      - {{name: list, class: list, path: /api/facilities, weight: 4}}
      - {{name: health, class: health, path: /health}}
    sla:
      list: {{p50: 150ms, p99: 600ms}}
      health: {{p99: 100ms}}
      error_rate: 0%
"""
    )
    result = runner.invoke(app, ["loadtest", "peak", "--json", "-c", str(config)])
    report = json.loads(result.stdout)
    assert result.exit_code in (0, 1) and report["errors"] == 0, report  # SLA: machine-bound
    listed, health = report["classes"]["list"], report["classes"]["health"]
    assert (listed["count"], health["count"]) == (96, 24)
    # the app and a busy test machine add some ms; the injected shape must show through
    # Never below what ParkWise was told to wait (nothing hidden). Above it by what the machine
    # adds: ParkWise is Python on the same 2 cores as a loaded test run, where its tail reached
    # 1 s, so only the median is bounded from above; bench/loadtest.py measures the accuracy
    # against a purpose-built server on a quiet machine.
    assert 40 <= listed["p50_ms"] <= 40 + 200  # 80 % wait 40 ms: the median is one of them
    assert listed["p90_ms"] >= 250  # 20 % wait 250 ms: p90 and p99 are those
    assert listed["p90_ms"] <= listed["p99_ms"] <= listed["max_ms"]
    assert health["p50_ms"] < 40  # /health is not delayed: its class shows it
