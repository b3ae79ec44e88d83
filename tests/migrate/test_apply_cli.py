"""`golive migrate apply NAME -- COMMAND` through the CLI: the output is streamed, a failure
says loudly that the database was restored, and bad usage is exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from golive.cli import app
from tests.migrate.conftest import config, counts

runner = CliRunner()


def test_a_failed_migration_says_it_restored_the_database(tmp_path: Path, source: str) -> None:
    config(tmp_path, source)
    before = counts(source)
    migration = tmp_path / "0042.sql"
    migration.write_text("UPDATE pgbench_accounts SET abalance = 7;\nSELECT 'half'; SELECT 1/0;\n")

    result = runner.invoke(
        app,
        ["migrate", "apply", "main-db", "-c", str(tmp_path / "golive.yaml"), "--",
         "psql", "-X", "-v", "ON_ERROR_STOP=1", "-f", str(migration), source],
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip

    assert result.exit_code == 1, result.output
    assert "  |  half" in result.output  # the command's output, streamed
    assert "MIGRATION FAILED: the migration command exited 3" in result.output
    assert "THE DATABASE WAS RESTORED from backup #1 of main-db" in result.output
    assert counts(source) == before


def test_a_good_migration_as_json(tmp_path: Path, source: str) -> None:
    config(tmp_path, source)

    result = runner.invoke(
        app,
        ["migrate", "apply", "main-db", "--json", "-c", str(tmp_path / "golive.yaml"), "--",
         "psql", "-X", "-c", "CREATE INDEX CONCURRENTLY ON pgbench_tellers (bid)", source],
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["ok"], body["exit_code"], body["restored"], body["backup_id"]) == (
        True, 0, False, 1,
    )  # fmt: skip
    assert {"name": "indexes valid", "ok": True, "detail": "no invalid index"} in body["checks"]


def test_an_unknown_name_or_no_command_is_exit_2(tmp_path: Path, source: str) -> None:
    config(tmp_path, source)
    path = str(tmp_path / "golive.yaml")

    unknown = runner.invoke(app, ["migrate", "apply", "main", "-c", path, "--", "true"], env={})
    missing = runner.invoke(app, ["migrate", "apply", "main-db", "-c", path], env={})

    assert unknown.exit_code == 2
    assert "no backup named 'main'; did you mean 'main-db'?" in unknown.output
    assert missing.exit_code == 2
    assert "Missing argument" in missing.output


def test_a_command_that_cannot_start_changes_nothing(tmp_path: Path, source: str) -> None:
    config(tmp_path, source)

    result = runner.invoke(
        app,
        ["migrate", "apply", "main-db", "-c", str(tmp_path / "golive.yaml"), "--",
         "./no-such-migrate-script"],
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip

    assert result.exit_code == 1
    assert "could not start: No such file or directory: ./no-such-migrate-script" in result.output
    assert "Nothing was run: the database is unchanged." in result.output
