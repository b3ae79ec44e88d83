"""`golive check`: table, JSON and JUnit output, exit codes, evidence in the store."""

from __future__ import annotations

import gc
import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from golive.cli import app

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path, site: str) -> Path:
    path = tmp_path / "golive.yaml"
    path.write_text(
        f"""\
version: 1
project: shop
components: [{{name: API}}]
checks:
  - name: health
    component: API
    http: {{url: "{site}/health"}}
    expect: ["status == 200", 'json.status == "healthy"']
  - name: degraded
    component: API
    http: {{url: "{site}/down"}}
    expect: ["status == 200"]
  - name: shell
    command: {{run: "echo 7"}}
    expect: ["int(stdout) == 7"]
"""
    )
    return path


def test_all_passing_checks_exit_0(config: Path) -> None:
    result = runner.invoke(app, ["check", "-c", str(config), "health", "shell"])
    assert result.exit_code == 0, result.output
    assert "all 2 checks passed" in result.output


def test_a_failing_check_exits_1_and_shows_the_actual_value(config: Path) -> None:
    result = runner.invoke(app, ["check", "-c", str(config)])
    assert result.exit_code == 1, result.output
    assert "status == 200 → status = 503" in result.output
    assert "1 of 3 checks failed" in result.output


def test_an_unknown_check_name_exits_2(config: Path) -> None:
    result = runner.invoke(app, ["check", "-c", str(config), "helth"])
    assert result.exit_code == 2
    assert "no check named 'helth'; did you mean 'health'?" in result.output


def test_json_output_has_one_object_per_check(config: Path) -> None:
    result = runner.invoke(app, ["check", "-c", str(config), "--json"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [d["name"] for d in data] == ["health", "degraded", "shell"]
    degraded = data[1]
    assert set(degraded) >= {"name", "component", "ok", "latency_ms", "failed", "error", "fields"}
    assert degraded["ok"] is False
    assert degraded["failed"] == [{"expect": "status == 200", "values": {"status": 503}}]
    assert degraded["error"] is None
    assert degraded["fields"]["json"] == {"status": "degraded"}


def test_junit_report_has_a_failure_per_failed_check(config: Path, tmp_path: Path) -> None:
    report = tmp_path / "out" / "junit.xml"
    runner.invoke(app, ["check", "-c", str(config), "--junit", str(report)])
    suite = ET.parse(report).getroot()
    assert suite.get("tests") == "3"
    assert suite.get("failures") == "1"
    failed = [
        case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None
    ]
    assert failed == ["degraded"]


def test_every_run_is_stored_as_evidence_beside_the_config(config: Path) -> None:
    runner.invoke(app, ["check", "-c", str(config)])
    runner.invoke(app, ["check", "-c", str(config), "shell"])
    db = sqlite3.connect(config.parent / ".golive" / "golive.db")
    runs = db.execute("SELECT command, total, failed FROM runs ORDER BY id").fetchall()
    assert runs == [("check", 3, 1), ("check", 1, 0)]
    evidence = db.execute("SELECT subject, ok, kind FROM evidence ORDER BY id").fetchall()
    assert evidence == [
        ("health", 1, "probe"),
        ("degraded", 0, "probe"),
        ("shell", 1, "probe"),
        ("shell", 1, "probe"),
    ]


def test_a_config_error_exits_2_without_running_anything(tmp_path: Path) -> None:
    path = tmp_path / "golive.yaml"
    path.write_text(
        "version: 1\nproject: shop\nchecks:\n  - {name: x, tcp: {host: h, port: 1}, expect: ['oops ==']}\n"
    )
    result = runner.invoke(app, ["check", "-c", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith(f"{path}:4:")
    assert not (tmp_path / ".golive").exists()


def test_a_journey_runs_with_the_other_checks_and_names_its_broken_step(config: Path) -> None:
    journey = "  - name: journey\n    steps:\n      - {name: a, tcp: {host: 127.0.0.1, port: 1}}\n"
    config.write_text(config.read_text() + journey)
    result = runner.invoke(app, ["check", "-c", str(config), "--json"])
    assert "not yet supported: check" not in result.stderr
    results = json.loads(result.stdout)
    assert [r["name"] for r in results] == ["health", "degraded", "shell", "journey"]
    assert results[-1]["ok"] is False
    assert (
        results[-1]["error"] == "step 'a' failed: cannot connect to 127.0.0.1:1: connection refused"
    )
    assert results[-1]["fields"]["failed_step"] == "a"

    result = runner.invoke(app, ["check", "-c", str(config), "journey"])
    assert result.exit_code == 1
    assert "step 'a' failed" in result.output


def test_a_heartbeat_check_is_left_to_golive_serve_and_refused_by_name(config: Path) -> None:
    config.write_text(config.read_text() + "  - name: nightly\n    heartbeat: {period: 1d}\n")
    result = runner.invoke(app, ["check", "-c", str(config), "--json"])
    assert [r["name"] for r in json.loads(result.stdout)] == ["health", "degraded", "shell"]
    assert "nightly" not in result.stderr

    result = runner.invoke(app, ["check", "-c", str(config), "nightly"])
    assert result.exit_code == 2
    assert "check nightly is a heartbeat check: golive serve judges it from its pings" in (
        result.output
    )


def test_the_check_command_moves_what_it_loaded_out_of_the_collectors_way(config: Path) -> None:
    gc.unfreeze()
    result = runner.invoke(app, ["check", "-c", str(config), "shell"])
    assert result.exit_code == 0, result.output
    assert gc.get_freeze_count() > 0
    gc.unfreeze()
