"""`golive token` and `golive silence` through the CLI runner."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from golive.cli import app

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "golive.yaml"
    path.write_text(
        "version: 1\nproject: shop\ncomponents: [{name: API}]\nchecks:\n"
        "  - {name: web, component: API, tcp: {host: 127.0.0.1, port: 1}, labels: {team: backend}}\n"
    )
    return path


def test_a_token_is_printed_once_and_stored_only_as_a_hash(config: Path) -> None:
    result = runner.invoke(
        app, ["token", "create", "--role", "operator", "--name", "ci", "-c", str(config)]
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("glv_")
    db = sqlite3.connect(config.parent / ".golive" / "golive.db")
    stored = db.execute("SELECT name, role, token_hash FROM tokens").fetchall()
    assert stored[0][:2] == ("ci", "operator")
    assert token not in repr(stored)
    listing = runner.invoke(app, ["token", "list", "--json", "-c", str(config)])
    assert token not in listing.output
    assert json.loads(listing.stdout)[0]["role"] == "operator"


def test_an_unknown_role_is_refused(config: Path) -> None:
    result = runner.invoke(app, ["token", "create", "--role", "root", "-c", str(config)])
    assert result.exit_code == 2
    assert "role" in result.output


def test_revoking_an_unknown_token_says_so(config: Path) -> None:
    result = runner.invoke(app, ["token", "revoke", "42", "-c", str(config)])
    assert result.exit_code == 2
    assert "no token with id 42" in result.output


def test_a_silence_is_added_listed_and_expired(config: Path) -> None:
    added = runner.invoke(
        app,
        [
            "silence",
            "add",
            "--check",
            "web",
            "--for",
            "2h",
            "--reason",
            "deploy",
            "-c",
            str(config),
        ],
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["silence", "list", "--json", "-c", str(config)])
    (row,) = json.loads(listed.stdout)
    assert row["status"] == "active"
    assert row["reason"] == "deploy"
    expired = runner.invoke(app, ["silence", "expire", str(row["id"]), "-c", str(config)])
    assert expired.exit_code == 0, expired.output
    assert (
        json.loads(runner.invoke(app, ["silence", "list", "--json", "-c", str(config)]).stdout)
        == []
    )


def test_a_silence_for_an_unknown_check_suggests_the_right_one(config: Path) -> None:
    result = runner.invoke(
        app, ["silence", "add", "--check", "wbe", "--reason", "x", "-c", str(config)]
    )
    assert result.exit_code == 2
    assert "did you mean 'web'?" in result.output


def test_a_silence_by_label_needs_key_value(config: Path) -> None:
    result = runner.invoke(
        app, ["silence", "add", "--label", "team", "--reason", "x", "-c", str(config)]
    )
    assert result.exit_code == 2
    assert "--label takes KEY=VALUE" in result.output
