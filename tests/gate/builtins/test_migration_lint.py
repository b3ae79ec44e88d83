"""``migration_lint``: GO when the migrations under ``paths`` (relative to the config file) break
no rule, NO-GO naming the first violations; a bad path or rule id is a clear message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from golive.cli import app
from golive.config import load_config
from golive.exceptions import ConfigError
from golive.gate.registry import argument_models

runner = CliRunner()
SAFE = (
    "SET lock_timeout = '5s';\nSET statement_timeout = '15s';\n"
    "CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);\n"
)
CONFIG = """\
version: 1
project: shop
gate:
  - name: Database migrations tested
    run: migration_lint
    with: {paths: [db/migrations/]}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "db" / "migrations").mkdir(parents=True)
    (tmp_path / "db" / "migrations" / "0001_index.sql").write_text(SAFE)
    (tmp_path / "golive.yaml").write_text(CONFIG)
    return tmp_path


def gate(project: Path) -> tuple[int, dict[str, object]]:
    # run from elsewhere: paths are relative to the config file, not to the working directory
    result = runner.invoke(app, ["gate", "--json", "-c", str(project / "golive.yaml")], env={})
    report = json.loads(result.stdout)
    return result.exit_code, report["items"][0]


def test_safe_migrations_are_go(project: Path) -> None:
    code, item = gate(project)

    assert (code, item["status"]) == (0, "pass"), item
    assert item["reason"] == "1 migration file linted: no violations"


def test_an_unsafe_migration_is_no_go_and_named_with_its_place_and_fix(project: Path) -> None:
    (project / "db" / "migrations" / "0002_paid.sql").write_text(
        SAFE.replace("CONCURRENTLY ", "") + "ALTER TABLE orders DROP COLUMN legacy;\n"
    )

    code, item = gate(project)

    assert (code, item["status"]) == (1, "fail")
    assert item["reason"] == (
        "2 violation(s) in 2 migration files: db/migrations/0002_paid.sql:3:1:"
        " require-concurrent-index-creation: CREATE INDEX on orders blocks writes to orders until"
        " the index is built (fix: CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);"
        " -- outside a transaction block); db/migrations/0002_paid.sql:4:1: ban-drop-column:"
        " dropping orders.legacy breaks running code that still selects it (fix: stop using the"
        " column in the code (e.g. ignored_columns) and deploy that first; drop it in a later"
        " migration)"
    )
    evidence = item["evidence"]
    assert evidence["violations"] == 2  # type: ignore[index]
    assert [v["line"] for v in evidence["first"]] == [3, 4]  # type: ignore[index]


def test_a_violation_accepted_with_a_reason_is_go(project: Path) -> None:
    (project / "db" / "migrations" / "0002_drop.sql").write_text(
        SAFE + "-- golive: ignore ban-drop-column unused since v2.3\n"
        "ALTER TABLE orders DROP COLUMN legacy;\n"
    )

    code, item = gate(project)

    assert (code, item["status"]) == (0, "pass"), item
    assert item["evidence"]["accepted"] == 1  # type: ignore[index]


def test_a_missing_folder_is_no_go_with_the_reason(project: Path) -> None:
    (project / "golive.yaml").write_text(CONFIG.replace("db/migrations/", "migrations/"))

    code, item = gate(project)

    assert (code, item["status"]) == (1, "fail")
    assert "cannot lint the migrations: " in str(item["reason"])
    assert "migrations: no such file or directory" in str(item["reason"])


def test_an_unknown_rule_to_ignore_is_a_config_error_at_load(project: Path) -> None:
    path = project / "golive.yaml"
    path.write_text(CONFIG.replace("paths: [db/migrations/]", "paths: [db/], ignore: [ban-drop]"))

    with pytest.raises(ConfigError, match="did you mean 'ban-drop-table'"):
        load_config(path, environ={}, gate_args=argument_models())
