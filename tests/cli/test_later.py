"""`golive rollout init` exists as the reference names it, checks the name it is given, and
says which stage brings it (exit 1)."""

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
