"""`golive gate`: the verdict, sign-offs, freshness, reports and history, through the CLI."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from golive.cli import app
from golive.clock import ManualClock
from golive.config import load_config
from golive.engine import open_store
from golive.gate.run import run_gate
from golive.gate.signoffs import sign

runner = CliRunner()

CONFIG = """\
version: 1
project: shop
checks:
  - {name: up, command: {run: "true"}}
  - {name: down, command: {run: "false"}}
loadtests:
  - {name: peak, base_url: "http://127.0.0.1:1", rate: 10/s, duration: 10s, requests: [{name: a, path: /}]}
gate:
  - name: Health checks passing
    checks: [up]
  - name: Incident response plan reviewed
    category: operational
    manual: true
    owner: ops-lead
    valid_for: 30d
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "golive.yaml"
    path.write_text(CONFIG)
    return path


def gate(config: Path, *args: str) -> tuple[int, dict[str, object]]:
    result = runner.invoke(app, ["gate", "--json", "-c", str(config), *args])
    return result.exit_code, json.loads(result.stdout)


def statuses(report: dict[str, object]) -> dict[str, str]:
    return {item["name"]: item["status"] for item in report["items"]}  # type: ignore[attr-defined, index]


def test_an_unsigned_manual_item_is_no_go(config: Path) -> None:
    code, report = gate(config)
    assert code == 1
    assert report["verdict"] == "NO-GO"
    assert statuses(report) == {
        "Health checks passing": "pass",
        "Incident response plan reviewed": "unsigned",
    }


def test_signing_the_manual_item_makes_it_go(config: Path) -> None:
    signed = runner.invoke(
        app, ["gate", "sign", "Incident response plan reviewed", "--by", "alice", "-c", str(config)]
    )
    assert signed.exit_code == 0, signed.output
    code, report = gate(config)
    assert (code, report["verdict"]) == (0, "GO")
    manual = report["items"][1]  # type: ignore[index]
    assert manual["evidence"]["signed_by"] == "alice"


def test_a_sign_off_for_an_unknown_item_is_refused_with_the_names(config: Path) -> None:
    result = runner.invoke(
        app, ["gate", "sign", "Incident plan", "--by", "alice", "-c", str(config)]
    )
    assert result.exit_code == 2
    assert 'no gate item "Incident plan"' in result.output
    assert '"Incident response plan reviewed"' in result.output


def test_a_measured_item_cannot_be_signed(config: Path) -> None:
    result = runner.invoke(
        app, ["gate", "sign", "Health checks passing", "--by", "alice", "-c", str(config)]
    )
    assert result.exit_code == 2
    assert "is measured, not signed" in result.output


async def test_a_sign_off_goes_stale_when_its_time_runs_out(config: Path) -> None:
    loaded = load_config(config, environ={})
    store = open_store(loaded)
    clock = ManualClock(datetime(2026, 11, 1, tzinfo=UTC))
    sign(store, loaded, "Incident response plan reviewed", by="alice", note="", now=clock.now())
    clock.advance(timedelta(days=31))
    report = await run_gate(loaded, store=store, clock=clock, environ={})
    assert report.items[1].status == "stale"
    assert report.verdict == "NO-GO"
    store.close()


def test_a_failing_check_blocks_and_says_why(config: Path) -> None:
    config.write_text(CONFIG.replace("checks: [up]", "checks: [up, down]"))
    code, report = gate(config)
    assert code == 1
    item = report["items"][0]  # type: ignore[index]
    assert item["status"] == "fail"
    assert item["reason"] == "1 of 2 checks fail: down: exit_code == 0"


def test_a_load_test_item_without_a_run_is_no_go_and_says_how_to_run_it(config: Path) -> None:
    config.write_text(CONFIG + "  - {name: SLA met under peak load, loadtest: peak, fresh: 7d}\n")
    runner.invoke(
        app, ["gate", "sign", "Incident response plan reviewed", "--by", "alice", "-c", str(config)]
    )
    code, report = gate(config)
    assert code == 1
    item = report["items"][-1]  # type: ignore[index]
    assert (item["status"], item["reason"]) == ("fail", "no run yet: golive loadtest peak")


def test_an_optional_item_warns_without_blocking(config: Path) -> None:
    config.write_text(
        CONFIG + "  - {name: SLA met under peak load, loadtest: peak, required: false}\n"
    )
    runner.invoke(
        app, ["gate", "sign", "Incident response plan reviewed", "--by", "alice", "-c", str(config)]
    )
    code, report = gate(config)
    assert (code, report["verdict"]) == (0, "GO")


def test_reports_and_history_are_written(config: Path, tmp_path: Path) -> None:
    junit, markdown = tmp_path / "gate.xml", tmp_path / "gate.md"
    result = runner.invoke(
        app,
        [
            "gate",
            "-c",
            str(config),
            "--junit",
            str(junit),
            "--markdown",
            str(markdown),
            "--release",
            "v1.4.0",
        ],
    )
    assert result.exit_code == 1
    assert "NO-GO" in result.output
    suite = ET.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    document = markdown.read_text()
    assert "**Verdict: NO-GO**" in document
    assert "Release: v1.4.0" in document
    history = runner.invoke(app, ["gate", "history", "--json", "-c", str(config)])
    (run,) = json.loads(history.stdout)
    assert run["verdict"] == "NO-GO"
    assert run["failing"] == ["Incident response plan reviewed"]


def test_the_release_gated_is_kept_in_the_history(config: Path) -> None:
    runner.invoke(app, ["gate", "-c", str(config), "--release", "v1.4.0"])
    runner.invoke(app, ["gate", "-c", str(config)])
    history = runner.invoke(app, ["gate", "history", "--json", "-c", str(config)])
    assert [run["release"] for run in json.loads(history.stdout)] == [None, "v1.4.0"]
    table = runner.invoke(app, ["gate", "history", "-c", str(config)])
    assert "v1.4.0" in table.stdout.splitlines()[1]


def test_an_unknown_builtin_is_a_config_error(config: Path) -> None:
    config.write_text(CONFIG + "  - {name: X, run: tsl}\n")
    result = runner.invoke(app, ["gate", "-c", str(config)])
    assert result.exit_code == 2
    assert "unknown built-in 'tsl'" in result.output
