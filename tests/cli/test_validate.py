"""`golive validate`: a summary and exit 0, or FILE:LINE:COL errors and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from golive.cli import app

REFERENCE = Path(__file__).parents[3] / "shared" / "spec" / "golive.reference.yaml"
runner = CliRunner()


def test_the_reference_config_validates() -> None:
    result = runner.invoke(app, ["validate", "-c", str(REFERENCE)], env={})
    assert result.exit_code == 0, result.output
    assert "is valid — project parkwise, environment staging" in result.output
    assert "not yet supported" not in result.output  # workers run since the scale stage
    assert "alert availability-burn" not in result.output  # burn-rate rules run
    assert "alert high-error-rate" not in result.output  # requests: rules run


def test_validate_json_lists_sections_and_what_is_not_yet_supported() -> None:
    result = runner.invoke(
        app, ["validate", "-c", str(REFERENCE), "--json", "--env", "production"], env={}
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["environment"] == "production"
    assert data["sections"]["checks"] == 10
    assert data["not_yet_supported"] == {} or "workers" not in data["not_yet_supported"]
    assert data["unsupported_checks"] == []  # journeys run; golive serve judges heartbeats
    assert "gate" not in data["not_yet_supported"]
    assert "checks" not in data["not_yet_supported"]


def test_an_invalid_config_prints_located_errors_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "golive.yaml"
    path.write_text(
        "version: 1\nproject: shop\nchecks:\n  - name: web\n    tcp: {host: x, port: 80}\n    evry: 1m\n"
    )
    result = runner.invoke(app, ["validate", "-c", str(path)], env={})
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"{path}:6:5: checks[web]: unknown key 'evry'; did you mean 'every'?"
    )
    assert "Traceback" not in result.output


def test_a_missing_config_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "-c", str(tmp_path / "nope.yaml")], env={})
    assert result.exit_code == 2
    assert "config file not found" in result.output


def test_golive_config_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text("version: 1\nproject: shop\n")
    result = runner.invoke(app, ["validate"], env={"GOLIVE_CONFIG": str(path)})
    assert result.exit_code == 0, result.output
    assert str(path) in result.output
