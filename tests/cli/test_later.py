"""`golive rollout init` and `golive heartbeat url` exist as the reference names them, check
the name they are given, and say which stage brings them (exit 1)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from golive.cli import app

REFERENCE = Path(__file__).parents[3] / "shared" / "spec" / "golive.reference.yaml"
runner = CliRunner()


def test_rollout_init_names_its_stage() -> None:
    result = runner.invoke(app, ["rollout", "init", "api", "-c", str(REFERENCE)], env={})
    assert result.exit_code == 1
    assert "not yet supported: golive rollout init api arrives with the rollouts stage" in (
        result.output
    )


def test_heartbeat_url_checks_the_name_first() -> None:
    result = runner.invoke(app, ["heartbeat", "url", "nightly-dmp", "-c", str(REFERENCE)], env={})
    assert result.exit_code == 2
    assert "no heartbeat check named 'nightly-dmp'; did you mean 'nightly-dump'?" in result.output
    result = runner.invoke(app, ["heartbeat", "url", "nightly-dump", "-c", str(REFERENCE)], env={})
    assert result.exit_code == 1
    assert "heartbeats, journeys & flags stage" in result.output
