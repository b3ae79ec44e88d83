"""`golive loadtest` refuses what it must not do, with a clear line and exit 2."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from golive.cli import app
from tests.loadtest.conftest import StartLatency

runner = CliRunner()

BODY = """\
version: 1
project: shop
loadtests:
  - name: peak
    base_url: {url}
    rate: 20/s
    duration: 2s
    requests:
      - {{name: list, path: {path}}}
"""


def config(tmp_path: Path, url: str = "http://127.0.0.1:1", path: str = "/") -> Path:
    file = tmp_path / "golive.yaml"
    file.write_text(BODY.format(url=url, path=path))
    return file


def test_a_request_to_another_host_is_a_config_error_with_its_line(tmp_path: Path) -> None:
    file = config(tmp_path, path="http://evil.example/")
    result = runner.invoke(app, ["loadtest", "peak", "-c", str(file)])
    assert result.exit_code == 2
    assert f"{file}:9:" in result.output
    assert "never targets another host" in result.output


def test_a_rate_above_max_rate_is_refused_not_lowered(tmp_path: Path) -> None:
    result = runner.invoke(app, ["loadtest", "peak", "-c", str(config(tmp_path)), "--rate", "50/s"])
    assert result.exit_code == 2
    assert "--rate 50/s is outside (0, 40/s]; raise max_rate" in result.output


def test_a_duration_above_max_duration_is_refused(tmp_path: Path) -> None:
    file = config(tmp_path)
    result = runner.invoke(app, ["loadtest", "peak", "-c", str(file), "--duration", "1h"])
    assert (result.exit_code, "raise max_duration" in result.output) == (2, True)


def test_an_unknown_load_test_names_the_known_ones(tmp_path: Path) -> None:
    result = runner.invoke(app, ["loadtest", "paek", "-c", str(config(tmp_path))])
    assert result.exit_code == 2
    assert "no load test named 'paek'; did you mean 'peak'?" in result.output


def test_an_sla_class_without_requests_is_a_config_error(tmp_path: Path) -> None:
    file = config(tmp_path)
    file.write_text(file.read_text() + "    sla: {write: {p95: 1s}}\n")
    result = runner.invoke(app, ["validate", "-c", str(file)])
    assert result.exit_code == 2
    assert "sla names class 'write', which no request has (classes: default)" in result.output


def test_a_rate_this_machine_cannot_reach_is_reported_as_achieved_vs_asked(
    tmp_path: Path, latency_server: StartLatency
) -> None:
    server = latency_server()
    file = config(tmp_path, url=server.url, path="/sleep")
    file.write_text(file.read_text().replace("rate: 20/s", "rate: 20/s\n    max_rate: 1000000/s"))
    result = runner.invoke(
        app,
        ["loadtest", "peak", "--json", "-c", str(file), "--rate", "400000/s", "--duration", "1s"],
    )
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert report["asked_rate"] == 400000 and report["achieved_rate"] < 0.95 * 400000
    # an SLA row the overloaded client also missed may come first: find the rate's reason
    shortfall = [r for r in report["reasons"] if r.startswith("achieved ")]
    assert len(shortfall) == 1
    assert shortfall[0].startswith(
        f"achieved {report['achieved_rate']:.1f}/s of the asked 400000/s ("
    )
    assert report["unsent"] > 0 and report["duration_s"] < 10  # bounded, even when behind


def test_ctrl_c_stops_cleanly_and_still_reports(
    tmp_path: Path, latency_server: StartLatency
) -> None:
    server = latency_server()
    file = config(tmp_path, url=server.url, path="/sleep?ms=1")
    file.write_text(file.read_text().replace("duration: 2s", "duration: 60s"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "golive", "loadtest", "peak", "-c", str(file)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline().decode()  # the first progress line: load is flowing
        assert "sent" in first and "p95 so far" in first
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = out.decode()
    assert proc.returncode == 1
    assert time.monotonic() - started < 10
    assert "stopped early, after" in text and "FAIL" in text
