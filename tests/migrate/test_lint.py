"""Where violations are reported (file:line:col through comments, strings and statements that
do not parse), which comments accept them, and which inputs are refused before linting."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.exceptions import UsageError
from golive.migrate.lint import lint_paths, lint_text

MIGRATION = """\
-- 0042: orders get a paid flag
SET lock_timeout = '5s';
SET statement_timeout = '15s';

/* a block comment
   over two lines; with a semicolon */
INSERT INTO notes VALUES ('a string; with a semicolon
and a newline');
CREATE INDEX orders_paid_idx
    ON orders (paid);
ALTER TABLE orders ADD COLUMN ref text,
                   ADD COLUMN paid boolean NOT NULL;
"""


def places(sql: str) -> list[tuple[int, int, str]]:
    return [(v.line, v.column, v.rule) for v in lint_text(sql, "m.sql") if v.ignored is None]


def test_each_violation_is_at_its_statement_past_comments_and_strings() -> None:
    assert places(MIGRATION) == [
        (9, 1, "require-concurrent-index-creation"),
        (12, 31, "adding-not-nullable-field"),  # at the column, not the ALTER
    ]


def test_a_statement_that_does_not_parse_is_a_violation_and_the_others_are_still_checked() -> None:
    broken = MIGRATION.replace("INSERT INTO notes", "INSRT INTO notes")

    assert places(broken) == [
        (7, 1, "syntax-error"),
        (9, 1, "require-concurrent-index-creation"),
        (12, 31, "adding-not-nullable-field"),
    ]
    assert 'at or near "INSRT"' in lint_text(broken, "m.sql")[0].message


def test_an_unclosed_string_is_a_violation_where_it_starts() -> None:
    found = lint_text("SET lock_timeout = '5s';\nSELECT 'never closed;\n", "m.sql")

    assert [(v.line, v.column, v.rule) for v in found] == [(2, 8, "syntax-error")]


def test_non_ascii_text_does_not_shift_columns() -> None:
    sql = "-- café ünïcode\nSELECT 'héhé';  ALTER TABLE orders DROP COLUMN legacy;"

    assert (2, 17, "ban-drop-column") in places(sql)


def test_an_ignore_comment_with_a_reason_accepts_the_next_statement_only() -> None:
    sql = (
        "SET lock_timeout = '5s'; SET statement_timeout = '15s';\n"
        "-- golive: ignore ban-drop-column unused since v2.3 (PR 812)\n"
        "ALTER TABLE orders DROP COLUMN legacy;\n"
        "ALTER TABLE orders DROP COLUMN older;\n"
    )

    found = lint_text(sql, "m.sql")

    assert [(v.line, v.ignored) for v in found] == [(3, "unused since v2.3 (PR 812)"), (4, None)]


def test_an_ignore_comment_at_the_end_of_a_line_accepts_that_lines_statement() -> None:
    sql = (
        "SET lock_timeout = '5s'; SET statement_timeout = '15s';\n"
        "DROP TABLE old_audit; -- golive: ignore ban-drop-table archived in S3 on 2026-11-02\n"
        "DROP TABLE old_events;\n"
    )

    assert places(sql) == [(3, 1, "ban-drop-table")]


def test_an_ignore_comment_names_several_rules() -> None:
    sql = (
        "-- golive: ignore require-lock-timeout,require-statement-timeout,ban-drop-column"
        " a maintenance window\nALTER TABLE orders DROP COLUMN legacy;\n"
    )

    assert places(sql) == []


def test_an_ignore_comment_with_an_unknown_rule_ignores_nothing() -> None:
    sql = "-- golive: ignore ban-drop-colum because\nALTER TABLE orders DROP COLUMN legacy;\n"

    found = lint_text(sql, "m.sql")

    assert [v.rule for v in found if v.rule in {"invalid-ignore", "ban-drop-column"}] == [
        "invalid-ignore",
        "ban-drop-column",
    ]
    assert "unknown rule ban-drop-colum" in found[0].message


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_directory_is_linted_file_by_file_in_name_order(tmp_path: Path) -> None:
    write(tmp_path, "migrations/0002_drop.sql", "DROP TABLE t;\n")
    write(
        tmp_path, "migrations/0001_init.sql", "SET lock_timeout = '1s';\nCREATE TABLE t (id int);"
    )
    write(tmp_path, "migrations/README.md", "not a migration")

    report = lint_paths([tmp_path / "migrations"], root=tmp_path)

    assert report.files == ("migrations/0001_init.sql", "migrations/0002_drop.sql")
    # the timeout set in 0001 does not cover 0002: each file runs in its own session
    assert [(v.file, v.line, v.rule) for v in report.open] == [
        ("migrations/0002_drop.sql", 1, "require-lock-timeout"),
        ("migrations/0002_drop.sql", 1, "require-statement-timeout"),
        ("migrations/0002_drop.sql", 1, "ban-drop-table"),
    ]


def test_ignore_leaves_out_a_rule_everywhere(tmp_path: Path) -> None:
    path = write(tmp_path, "0001.sql", "DROP TABLE t;\n")

    report = lint_paths([path], ignore=["require-lock-timeout", "require-statement-timeout"])

    assert [v.rule for v in report.open] == ["ban-drop-table"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("missing.sql", None, "no such file or directory"),
        ("0001_init.py", "op.create_index('i', 't', ['a'])", "only .sql files are linted"),
        ("empty", "", "no .sql files in this directory"),
        ("latin1.sql", b"SELECT '\xe9';", "not UTF-8 text"),
    ],
)
def test_bad_input_is_a_usage_error(
    tmp_path: Path, name: str, text: str | bytes | None, message: str
) -> None:
    path = tmp_path / name
    if name == "empty":
        path.mkdir()
    elif isinstance(text, bytes):
        path.write_bytes(text)
    elif text is not None:
        path.write_text(text)

    with pytest.raises(UsageError, match=message):
        lint_paths([path])


def test_an_unknown_rule_to_ignore_is_a_usage_error_with_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "0001.sql", "SELECT 1;")

    with pytest.raises(UsageError, match="did you mean 'ban-drop-table'"):
        lint_paths([path], ignore=["ban-drop-tables"])
