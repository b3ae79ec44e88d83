"""`golive dora` through the CLI runner, on a real store."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from golive.cli import app
from golive.records import EvidenceRecord, RunSummary
from golive.store import Store, normalise_url

runner = CliRunner()


def stored_rollout(config: Path, ago: timedelta, state: str, lead: timedelta) -> None:
    """A finished rollout's evidence, as the rollout machine stores it."""
    at = datetime.now(UTC) - ago
    values = {
        "rollout_id": 1,
        "version": "v2",
        "commit": "abc",
        "state": state,
        "strategy": "canary",
        "started_at": (at - timedelta(minutes=6)).isoformat(),
        "committed_at": (at - lead).isoformat(),
    }
    record = EvidenceRecord(
        "rollout", "api", state == "promoted", at, at + timedelta(days=90), values=values
    )
    store = Store.open(normalise_url("sqlite:///.golive/golive.db", config.parent))
    try:
        store.record_run(RunSummary("rollout", "", at - timedelta(minutes=6), at), [record])
    finally:
        store.close()


def test_dora_prints_the_four_measures_with_their_bands(tmp_path: Path) -> None:
    config = tmp_path / "golive.yaml"
    config.write_text("version: 1\nproject: parkwise\n")
    for day in range(1, 15):
        stored_rollout(config, timedelta(days=day, hours=1), "promoted", timedelta(hours=3))
    stored_rollout(config, timedelta(days=3), "rolled_back", timedelta(hours=3))
    stored_rollout(config, timedelta(days=40), "promoted", timedelta(hours=3))  # before --since

    result = runner.invoke(app, ["dora", "-c", str(config), "--json"])
    report = json.loads(result.output)
    assert result.exit_code == 0
    assert (report["deployments"], report["changes"]) == (14, 15)
    assert report["lead_time_median_seconds"] == 3 * 3600
    assert report["change_failure_rate"] == 1 / 15
    assert report["bands"] == {
        "deployment_frequency": "high",
        "lead_time": "elite",
        "change_failure_rate": "high",
        "time_to_restore": "elite",
    }
    assert report["failures"][0]["restore_seconds"] == 360

    table = runner.invoke(app, ["dora", "-c", str(config), "--since", "7d"])
    assert table.exit_code == 0
    assert "0.86/day, 6.0/week (6 promoted)" in table.output
    assert "median 3h 00m" in table.output
    assert "failed: api v2: rolled back" in table.output


def test_dora_says_what_is_wrong_with_a_bad_since(tmp_path: Path) -> None:
    config = tmp_path / "golive.yaml"
    config.write_text("version: 1\nproject: parkwise\n")
    result = runner.invoke(app, ["dora", "-c", str(config), "--since", "soon"])
    assert result.exit_code == 2
    assert "--since" in result.output
