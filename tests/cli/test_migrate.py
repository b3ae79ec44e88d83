"""`golive migrate lint`: exit 0 clean, 1 violations, 2 bad input; text and --json output."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from golive.cli import app

runner = CliRunner()
SAFE = "SET lock_timeout = '5s';\nSET statement_timeout = '15s';\n"


def test_a_clean_migration_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "0001.sql"
    path.write_text(SAFE + "CREATE INDEX CONCURRENTLY i ON orders (user_id);\n")

    result = runner.invoke(app, ["migrate", "lint", str(path)], env={})

    assert result.exit_code == 0, result.output
    assert "1 file checked: no violations" in result.output


def test_violations_exit_1_with_file_line_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "0002.sql"
    path.write_text(SAFE + "\nCREATE INDEX i ON orders (user_id);\n")

    result = runner.invoke(app, ["migrate", "lint", str(path)], env={})

    assert result.exit_code == 1
    assert f"{path}:4:1: require-concurrent-index-creation: CREATE INDEX on orders" in (
        result.output
    )
    assert "fix: CREATE INDEX CONCURRENTLY i ON orders (user_id);" in result.output
    assert "1 violation(s) in 1 file" in result.output


def test_json_lists_violations_and_the_accepted_ones_apart(tmp_path: Path) -> None:
    path = tmp_path / "0003.sql"
    path.write_text(
        SAFE + "DROP TABLE a; -- golive: ignore ban-drop-table archived\nDROP TABLE b;\n"
    )

    result = runner.invoke(app, ["migrate", "lint", str(path), "--json"], env={})

    assert result.exit_code == 1
    body = json.loads(result.output)
    assert [(v["line"], v["rule"]) for v in body["violations"]] == [(4, "ban-drop-table")]
    assert [(v["line"], v["ignored"]) for v in body["ignored"]] == [(3, "archived")]
    assert set(body["violations"][0]) == {
        "file", "line", "column", "rule", "message", "rewrite", "ignored",
    }  # fmt: skip


def test_ignore_option_leaves_a_rule_out(tmp_path: Path) -> None:
    path = tmp_path / "0004.sql"
    path.write_text("ALTER TABLE orders ADD COLUMN note text;\n")

    result = runner.invoke(
        app,
        ["migrate", "lint", str(path), "--ignore", "require-lock-timeout",
         "--ignore", "require-statement-timeout"],
        env={},
    )  # fmt: skip

    assert result.exit_code == 0, result.output


def test_bad_input_exits_2_with_one_clear_line(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["migrate", "lint", str(tmp_path / "nope.sql")], env={})
    python = tmp_path / "0001_init.py"
    python.write_text("def upgrade(): ...\n")
    not_sql = runner.invoke(app, ["migrate", "lint", str(python)], env={})
    unknown = runner.invoke(
        app, ["migrate", "lint", str(python), "--ignore", "renaming-colum"], env={}
    )

    assert (missing.exit_code, not_sql.exit_code, unknown.exit_code) == (2, 2, 2)
    assert "nope.sql: no such file or directory" in missing.output
    assert "manage.py sqlmigrate" in not_sql.output
    assert "did you mean 'renaming-column'?" in unknown.output
    assert "Traceback" not in missing.output + not_sql.output + unknown.output
