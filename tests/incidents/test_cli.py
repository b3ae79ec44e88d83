"""`golive incident ...` through the CLI runner, on a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from golive.cli import app

runner = CliRunner()

CONFIG = """\
version: 1
project: parkwise
components: [{name: Database}]
incidents:
  severities:
    SEV1: {from: critical, respond_within: 5m}
    SEV2: {from: high, respond_within: 15m}
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "golive.yaml"
    path.write_text(CONFIG)
    return path


def golive(config: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["incident", *args, "-c", str(config)])
    return result.exit_code, result.output


def test_an_incident_goes_from_open_to_resolved_and_its_timeline_says_who_did_what(
    config: Path,
) -> None:
    code, output = golive(
        config, "open", "Database down", "--sev", "SEV1", "--component", "Database"
    )
    assert (code, output.strip()) == (0, "incident #1 opened (SEV1)")
    assert golive(config, "ack", "1", "--by", "alice")[0] == 0
    assert golive(config, "note", "1", "failover started", "--by", "alice")[0] == 0
    assert golive(config, "mitigate", "1", "--by", "alice")[0] == 0
    assert golive(config, "resolve", "1", "--by", "bob", "-m", "replica promoted")[0] == 0

    code, output = golive(config, "show", "1", "--json")
    shown = json.loads(output)
    assert shown["state"] == "resolved"
    assert [(e["kind"], e["actor"]) for e in shown["timeline"]] == [
        ("opened", "cli"),
        ("status_update", "cli"),
        ("acknowledged", "alice"),
        ("note", "alice"),
        ("mitigated", "alice"),
        ("resolved", "bob"),
        ("status_update", "bob"),
    ]


def test_acknowledging_a_resolved_incident_says_to_reopen_it(config: Path) -> None:
    golive(config, "open", "Database down", "--sev", "SEV2")
    golive(config, "resolve", "1")

    code, output = golive(config, "ack", "1")

    assert code == 2
    assert "incident #1 is resolved; reopen it first (golive incident reopen 1)" in output
    assert golive(config, "reopen", "1")[0] == 0
    assert golive(config, "ack", "1")[0] == 0


def test_an_unknown_severity_gets_a_hint(config: Path) -> None:
    code, output = golive(config, "open", "x", "--sev", "SEV3")
    assert code == 2
    assert "no severity named 'SEV3'" in output


def test_an_unknown_incident_is_a_clear_error(config: Path) -> None:
    code, output = golive(config, "ack", "7")
    assert (code, output.strip()) == (2, "error: no incident #7")


def test_a_status_update_can_publish_an_incident(config: Path) -> None:
    golive(config, "open", "Slow searches", "--sev", "SEV2")

    code, output = golive(
        config, "update", "1", "--status", "identified", "-m", "An index is missing", "--public"
    )

    assert (code, output.strip()) == (0, "incident #1: identified (on /status)")
    code, output = golive(config, "update", "1", "--status", "fixed", "-m", "x")
    assert code == 2 and "unknown status 'fixed'" in output


def test_stats_give_mtta_and_mttr_by_severity_as_json(config: Path) -> None:
    golive(config, "open", "a", "--sev", "SEV1")
    golive(config, "resolve", "1")
    golive(config, "open", "b", "--sev", "SEV2")

    code, output = golive(config, "stats", "--since", "1d", "--json")

    stats = json.loads(output)
    assert code == 0
    assert (stats["count"], stats["open"]) == (2, 1)
    assert stats["by_severity"]["SEV1"]["count"] == 1
    assert stats["by_severity"]["SEV1"]["mttr_seconds"] is not None
    assert stats["by_severity"]["SEV2"]["mttr_seconds"] is None
    assert golive(config, "stats", "--since", "soon")[0] == 2


def test_a_postmortem_is_written_from_the_timeline(config: Path, tmp_path: Path) -> None:
    golive(config, "open", "Database down", "--sev", "SEV1", "--component", "Database")
    golive(config, "ack", "1", "--by", "alice")
    golive(config, "resolve", "1", "--by", "alice", "-m", "replica promoted")
    target = tmp_path / "pm.md"

    code, _ = golive(config, "postmortem", "1", "-o", str(target))

    text = target.read_text()
    assert code == 0
    for heading in (
        "## Summary",
        "## Impact",
        "## Timeline (UTC)",
        "## What was done",
        "## Follow-ups",
    ):
        assert heading in text
    assert "- Affected components: Database" in text
    assert "- Response target: 5m 00s: met" in text
    assert "resolved by alice: replica promoted" in text
