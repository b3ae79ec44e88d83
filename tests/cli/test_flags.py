"""`golive flag ...` through the CLI runner: list, set (audited), history, show, eval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from golive.cli import app

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "golive.yaml"
    path.write_text(
        "version: 1\nproject: shop\nenvironment: production\nflags:\n"
        "  - {name: analytics-dashboard, enabled: true, rollout: 100%, roles: [ADMIN, SUPPORT]}\n"
        "  - {name: mobile-pwa-install, enabled: true, rollout: 25%, environments: [production]}\n"
    )
    return path


def invoke(config: Path, *args: str) -> str:
    result = runner.invoke(app, ["flag", *args, "-c", str(config)])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_change_is_applied_over_the_config_and_kept_in_the_history(config: Path) -> None:
    invoke(
        config,
        "set",
        "mobile-pwa-install",
        "--rollout",
        "60",
        "--reason",
        "going well",
        "--by",
        "ana",
    )
    invoke(config, "set", "mobile-pwa-install", "--disabled", "--by", "bo")
    listed = {f["name"]: f for f in json.loads(invoke(config, "list", "--json"))}
    assert listed["mobile-pwa-install"]["enabled"] is False
    assert listed["mobile-pwa-install"]["rollout"] == "60%"
    history = json.loads(invoke(config, "history", "mobile-pwa-install", "--json"))
    assert [(h["by"], h["before"], h["after"]) for h in history] == [
        ("bo", {"enabled": True, "rollout": 60.0}, {"enabled": False, "rollout": 60.0}),
        ("ana", {"enabled": True, "rollout": 25.0}, {"enabled": True, "rollout": 60.0}),
    ]
    assert history[1]["reason"] == "going well"
    shown = json.loads(invoke(config, "show", "mobile-pwa-install", "--json"))
    assert shown["last_change"]["by"] == "bo"


def test_eval_answers_with_the_reason(config: Path) -> None:
    admin = json.loads(invoke(config, "eval", "analytics-dashboard", "--role", "ADMIN", "--json"))
    assert (admin["value"], admin["reason"]) == (True, "TARGETING_MATCH")
    user = json.loads(invoke(config, "eval", "analytics-dashboard", "--role", "USER", "--json"))
    assert user["value"] is False
    split = json.loads(invoke(config, "eval", "mobile-pwa-install", "--user", "42", "--json"))
    assert split["reason"] == "SPLIT"


def test_a_rollout_outside_0_to_100_is_refused_with_a_clear_message(config: Path) -> None:
    result = runner.invoke(
        app, ["flag", "set", "mobile-pwa-install", "--rollout", "150", "-c", str(config)]
    )
    assert result.exit_code == 2
    assert "a rollout is a percentage from 0 to 100, got 150" in result.output
    assert "Traceback" not in result.output


def test_an_unknown_flag_suggests_the_closest(config: Path) -> None:
    result = runner.invoke(app, ["flag", "set", "mobile-pwa", "--enabled", "-c", str(config)])
    assert result.exit_code == 2
    assert "no flag named 'mobile-pwa'; did you mean 'mobile-pwa-install'?" in result.output
