"""`golive import GUIDE [-o FILE] [--force] [--json]`: the config on stdout or in a file, the
report beside it, exit 0; exit 2 for a guide it cannot read or a file it will not overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from golive.cli.importer import import_guide

app = typer.Typer()
app.command("import")(import_guide)


@app.callback()
def _root() -> None:
    """Until the lead registers `import` in golive.cli."""


runner = CliRunner()

GUIDE = """\
# Guide

## Go-Live Checklist
- [ ] SSL certificates installed
- [ ] Legal compliance verified
"""


@pytest.fixture
def guide(tmp_path: Path) -> Path:
    path = tmp_path / "guide.md"
    path.write_text(GUIDE, encoding="utf-8")
    return path


def test_without_output_the_config_goes_to_stdout_and_the_report_to_stderr(guide: Path) -> None:
    result = runner.invoke(app, ["import", str(guide)])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(result.stdout)
    assert [g["name"] for g in data["gate"]] == [
        "SSL certificates installed",
        "Legal compliance verified",
    ]
    assert "2 checklist lines → 1 builtin, 1 manual" in result.stderr
    assert "run: tls" in result.stderr


def test_output_writes_the_file_and_prints_the_report(guide: Path, tmp_path: Path) -> None:
    target = tmp_path / "golive.yaml"
    result = runner.invoke(app, ["import", str(guide), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(target.read_text(encoding="utf-8"))["project"] == "guide"
    assert "Checklist lines" in result.stdout
    assert f"wrote {target}" in result.stdout


def test_an_existing_output_is_kept_unless_forced(guide: Path, tmp_path: Path) -> None:
    target = tmp_path / "golive.yaml"
    target.write_text("mine\n", encoding="utf-8")
    refused = runner.invoke(app, ["import", str(guide), "-o", str(target)])
    assert refused.exit_code == 2
    assert "exists; use --force" in refused.stderr
    assert target.read_text(encoding="utf-8") == "mine\n"
    forced = runner.invoke(app, ["import", str(guide), "-o", str(target), "--force"])
    assert forced.exit_code == 0
    assert "gate:" in target.read_text(encoding="utf-8")


def test_json_prints_the_report_and_the_config(guide: Path) -> None:
    result = runner.invoke(app, ["import", str(guide), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["counts"]["checklist_lines"] == 2
    assert [line["became"] for line in data["lines"]] == ["run: tls", "manual"]
    assert yaml.safe_load(data["config"])["version"] == 1


def test_json_with_output_names_the_file_instead(guide: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.yaml"
    result = runner.invoke(app, ["import", str(guide), "--json", "-o", str(target)])
    data = json.loads(result.stdout)
    assert data["output"] == str(target) and "config" not in data


def test_a_missing_guide_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["import", str(tmp_path / "nope.md")])
    assert result.exit_code == 2
    assert "guide not found" in result.stderr
    assert "Traceback" not in result.output


def test_a_directory_or_a_file_that_is_not_utf8_is_a_usage_error(tmp_path: Path) -> None:
    assert runner.invoke(app, ["import", str(tmp_path)]).exit_code == 2
    latin = tmp_path / "latin.md"
    latin.write_bytes("- [ ] Caf\xe9 ready\n".encode("latin-1"))
    result = runner.invoke(app, ["import", str(latin)])
    assert result.exit_code == 2
    assert "is not UTF-8 text" in result.stderr
