"""`golive oncall who` and `golive oncall show` against the reference config."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from golive.cli import app

REFERENCE = Path(__file__).parents[3] / "shared" / "spec" / "golive.reference.yaml"
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "-c", str(REFERENCE)], env={})
    return result.exit_code, result.output


def test_who_at_christmas_names_the_override_and_who_follows() -> None:
    code, output = invoke("oncall", "who", "primary", "--at", "2026-12-24T10:00", "--json")
    assert code == 0
    (holder,) = json.loads(output)
    assert holder["person"] == "carol" and holder["override"] is True
    assert holder["since"] == "2026-12-24T05:00:00+00:00"  # midnight in New York
    assert holder["until"] == "2026-12-26T05:00:00+00:00"
    assert holder["next"] == "alice"


def test_who_reads_a_time_with_an_offset_as_written() -> None:
    code, output = invoke("oncall", "who", "--at", "2026-11-02T13:59:00+00:00", "--json")
    assert code == 0
    assert json.loads(output)[0]["person"] == "alice"  # the handoff is 09:00 EST = 14:00 UTC
    code, output = invoke("oncall", "who", "--at", "2026-11-02T14:00:00+00:00", "--json")
    assert json.loads(output)[0]["person"] == "bob"


def test_who_prints_a_table_in_local_time() -> None:
    code, output = invoke("oncall", "who", "--at", "2026-11-03T00:00:00+00:00")
    assert code == 0
    assert "bob" in output and "Mon 2026-11-02 09:00 EST" in output


def test_show_lists_the_weeks_with_the_override_marked() -> None:
    code, output = invoke("oncall", "show", "primary", "--at", "2026-12-21T09:00", "--weeks", "2")
    assert code == 0
    lines = [line for line in output.splitlines() if "│" in line]
    assert [line.split("│")[0].strip() for line in lines] == ["alice", "carol", "alice", "bob"]
    assert "override" in lines[1] and "Thu 2026-12-24 00:00 EST" in lines[1]


def test_show_as_json_has_each_shift() -> None:
    code, output = invoke(
        "oncall", "show", "primary", "--at", "2026-10-26T09:00", "--weeks", "2", "--json"
    )
    assert code == 0
    rows = json.loads(output)
    assert [(r["person"], r["start"]) for r in rows] == [
        ("alice", "2026-10-26T13:00:00+00:00"),
        ("bob", "2026-11-02T14:00:00+00:00"),
    ]


def test_an_unknown_schedule_gets_a_suggestion_and_exit_2() -> None:
    code, output = invoke("oncall", "show", "primry")
    assert code == 2
    assert "no schedule named 'primry'; did you mean 'primary'?" in output


def test_a_bad_time_is_a_clear_message() -> None:
    code, output = invoke("oncall", "who", "--at", "christmas")
    assert code == 2
    assert "--at 'christmas' is not an ISO time" in output


def test_report_daily_prints_markdown_writes_a_file_and_answers_json(tmp_path: Path) -> None:
    config = tmp_path / "golive.yaml"
    config.write_text(
        "version: 1\nproject: shop\nstore: sqlite:///golive.db\n"
        "components: [{name: API}]\n"
        "checks: [{name: api, component: API, tcp: {host: 127.0.0.1, port: 1}}]\n"
    )
    written = tmp_path / "daily.md"
    result = runner.invoke(
        app, ["report", "daily", "--markdown", str(written), "-c", str(config)], env={}
    )
    assert result.exit_code == 0, result.output
    assert "# shop: daily operations report" in result.output
    assert "| API | unknown | no runs | 0 | 0 |" in written.read_text()
    result = runner.invoke(app, ["report", "weekly", "--json", "-c", str(config)], env={})
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["period"] == "weekly" and data["components"][0]["name"] == "API"
    result = runner.invoke(app, ["report", "monthly", "-c", str(config)], env={})
    assert result.exit_code == 2


def test_a_time_too_far_away_is_a_clear_message() -> None:
    code, output = invoke("oncall", "who", "--at", "0001-01-01T00:00")
    assert code == 2
    assert "too far away" in output
