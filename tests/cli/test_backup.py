"""`golive backup run|list|verify|restore|prune` through the CLI runner, and the rpo warning of
`golive validate`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from golive.cli import app

REFERENCE = Path(__file__).parents[3] / "shared" / "spec" / "golive.reference.yaml"
runner = CliRunner()


def write(tmp_path: Path, backup: dict[str, object]) -> str:
    (tmp_path / "uploads").mkdir(exist_ok=True)
    (tmp_path / "uploads" / "a.txt").write_text("a")
    path = tmp_path / "golive.yaml"
    document = {
        "version": 1,
        "project": "shop",
        "store": "sqlite:///golive.db",
        "backups": [backup],
    }
    path.write_text(yaml.safe_dump(document))
    return str(path)


UPLOADS = {
    "name": "uploads",
    "files": {"paths": ["uploads"]},
    "to": {"dir": "b"},
    "retention": {"last": 1, "daily": 0, "weekly": 0, "monthly": 0},
}


def test_run_list_verify_and_prune_a_backup(tmp_path: Path) -> None:
    config = write(tmp_path, UPLOADS)
    ran = runner.invoke(app, ["backup", "run", "uploads", "-c", config], env={})
    assert ran.exit_code == 0, ran.output
    assert "uploads: backup 1 good" in ran.output
    verified = runner.invoke(app, ["backup", "verify", "-c", config, "--json"], env={})
    assert verified.exit_code == 0, verified.output
    (drill,) = json.loads(verified.output)
    assert drill["ok"] and drill["backup_id"] == 1
    listed = runner.invoke(app, ["backup", "list", "-c", config, "--json"], env={})
    data = json.loads(listed.output)
    assert [(b["id"], b["state"], b["verified"]) for b in data["backups"]] == [(1, "good", True)]
    again = runner.invoke(app, ["backup", "run", "-c", config, "--json"], env={})
    assert again.exit_code == 0 and json.loads(again.output)[0]["id"] == 2
    # last: 1 would drop backup 1, but it is the newest verified one
    pruned = runner.invoke(app, ["backup", "prune", "-c", config, "--dry-run"], env={})
    assert pruned.exit_code == 0 and "nothing to delete" in pruned.output


def test_a_failing_backup_exits_1_with_the_reason(tmp_path: Path) -> None:
    config = write(tmp_path, {**UPLOADS, "files": {"paths": ["missing"]}})
    result = runner.invoke(app, ["backup", "run", "-c", config], env={})
    assert result.exit_code == 1
    assert "nothing to back up at" in result.output


def test_an_unknown_name_is_a_usage_error(tmp_path: Path) -> None:
    config = write(tmp_path, UPLOADS)
    result = runner.invoke(app, ["backup", "verify", "uplods", "-c", config], env={})
    assert result.exit_code == 2
    assert "no backup named 'uplods'; did you mean 'uploads'?" in result.output


def test_verify_without_a_backup_fails_and_says_how(tmp_path: Path) -> None:
    config = write(tmp_path, UPLOADS)
    result = runner.invoke(app, ["backup", "verify", "-c", config], env={})
    assert result.exit_code == 1
    assert "no good backup of uploads yet: golive backup run uploads" in result.output


def test_validate_says_a_schedule_cannot_meet_its_rpo_with_file_and_line() -> None:
    result = runner.invoke(app, ["validate", "-c", str(REFERENCE), "--json"], env={})
    assert result.exit_code == 0, result.output
    (warning,) = json.loads(result.output)["warnings"]
    line = REFERENCE.read_text().splitlines().index("    rpo: 15m") + 1
    assert warning.startswith(f"{REFERENCE}:{line}:")
    assert "runs every 6h but promises rpo 15m" in warning


def test_validate_warns_a_logical_backup_slower_than_rpo_and_not_a_pgbackrest_one(
    tmp_path: Path,
) -> None:
    logical = {"name": "db", "postgres": {"dsn": "postgresql://x/db"}, "to": {"dir": "b"}}
    physical = {"name": "db", "pgbackrest": {"stanza": "main"}, "to": {"dir": "b"}}
    for backup, warned in ((logical, True), (physical, False)):
        config = write(tmp_path, {**backup, "every": "6h", "rpo": "15m"})
        result = runner.invoke(app, ["validate", "-c", config, "--json"], env={})
        assert result.exit_code == 0, result.output
        warnings = json.loads(result.output)["warnings"]
        assert bool(warnings) is warned, warnings
        if warned:
            assert "can lose up to 6h of writes" in warnings[0]
            assert "archive WAL (a pgbackrest: backup" in warnings[0]


def test_verify_to_a_time_needs_a_zone_and_a_kind_with_archived_wal(tmp_path: Path) -> None:
    config = write(tmp_path, UPLOADS)
    result = runner.invoke(app, ["backup", "verify", "-c", config, "--to-time", "2026-05-01 12:00"])
    assert result.exit_code == 2
    assert "has no time zone: add Z or +HH:MM" in result.output
    assert runner.invoke(app, ["backup", "run", "-c", config], env={}).exit_code == 0
    result = runner.invoke(
        app, ["backup", "verify", "-c", config, "--to-time", "2026-05-01T12:00:00Z"], env={}
    )
    assert result.exit_code == 1
    assert "a point-in-time restore needs archived WAL (a pgbackrest: backup)" in result.output
