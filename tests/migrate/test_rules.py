"""Each rule fires on the statement that breaks it and stays quiet on its safe rewrite."""

from __future__ import annotations

import pytest

from golive.migrate.catalog import RULES
from golive.migrate.lint import lint_text

TIMEOUTS = "SET lock_timeout = '5s';\nSET statement_timeout = '15s';\n"

# rule id -> (a statement that breaks it, the safe way to write the same change)
CASES: dict[str, tuple[str, str]] = {
    "require-concurrent-index-creation": (
        "CREATE INDEX orders_user_idx ON orders (user_id);",
        "CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);",
    ),
    "require-concurrent-index-deletion": (
        "DROP INDEX orders_user_idx;",
        "DROP INDEX CONCURRENTLY orders_user_idx;",
    ),
    "ban-concurrent-index-creation-in-transaction": (
        "BEGIN;\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);\nCOMMIT;",
        "BEGIN;\nSELECT 1;\nCOMMIT;\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);",
    ),
    "adding-not-nullable-field": (
        "ALTER TABLE orders ADD COLUMN paid boolean NOT NULL;",
        "ALTER TABLE orders ADD COLUMN paid boolean NOT NULL DEFAULT false;",
    ),
    "setting-not-nullable-field": (
        "ALTER TABLE orders ALTER COLUMN paid SET NOT NULL;",
        "ALTER TABLE orders ADD CONSTRAINT paid_nn CHECK (paid IS NOT NULL) NOT VALID;",
    ),
    "adding-field-with-volatile-default": (
        "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();",
        "ALTER TABLE orders ADD COLUMN created timestamptz DEFAULT now();",
    ),
    "changing-column-type": (
        "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12, 2);",
        "ALTER TABLE orders ADD COLUMN total_v2 numeric(12, 2);",
    ),
    "renaming-column": (
        "ALTER TABLE orders RENAME COLUMN total TO amount;",
        "ALTER TABLE orders ADD COLUMN amount numeric;",
    ),
    "renaming-table": (
        "ALTER TABLE orders RENAME TO purchases;",
        "CREATE TABLE purchases (id int);",
    ),
    "ban-drop-column": ("ALTER TABLE orders DROP COLUMN legacy;", "SELECT 1;"),
    "ban-drop-table": ("DROP TABLE orders;", "CREATE TABLE scratch (id int);\nDROP TABLE scratch;"),
    "require-lock-timeout": (
        "SET statement_timeout = '15s';\nALTER TABLE orders ADD COLUMN note text;",
        "SET lock_timeout = '5s';\nSET statement_timeout = '15s';\n"
        "ALTER TABLE orders ADD COLUMN note text;",
    ),
    "require-statement-timeout": (
        "SET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN note text;",
        "SET lock_timeout = '5s';\nSET statement_timeout = '15s';\n"
        "ALTER TABLE orders ADD COLUMN note text;",
    ),
    "adding-foreign-key-constraint": (
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id)"
        " REFERENCES users (id) NOT VALID;",
    ),
    "constraint-missing-not-valid": (
        "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0);",
        "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID;",
    ),
    "disallowed-unique-constraint": (
        "ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE (ref);",
        "ALTER TABLE orders ADD CONSTRAINT orders_ref_key UNIQUE USING INDEX orders_ref_idx;",
    ),
    "syntax-error": (
        "ALTER TABEL orders ADD COLUMN note text;",
        "ALTER TABLE orders ADD note text;",
    ),
    "invalid-ignore": (
        "-- golive: ignore ban-drop-column\nALTER TABLE orders DROP COLUMN legacy;",
        "-- golive: ignore ban-drop-column unused since v2.3 (PR 812)\n"
        "ALTER TABLE orders DROP COLUMN legacy;",
    ),
}


def rules_in(sql: str) -> set[str]:
    return {v.rule for v in lint_text(sql, "m.sql") if v.ignored is None}


def test_every_rule_has_a_case() -> None:
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_the_unsafe_statement_breaks_the_rule(rule: str) -> None:
    unsafe, _ = CASES[rule]
    body = unsafe if rule.startswith("require-") and "timeout" in rule else TIMEOUTS + unsafe
    assert rule in rules_in(body)


@pytest.mark.parametrize("rule", sorted(CASES))
def test_the_safe_rewrite_does_not(rule: str) -> None:
    _, safe = CASES[rule]
    body = safe if rule.startswith("require-") and "timeout" in rule else TIMEOUTS + safe
    assert rule not in rules_in(body)


def test_without_timeouts_only_the_first_locking_statement_is_told() -> None:
    found = lint_text(
        "ALTER TABLE a ADD COLUMN x text;\nALTER TABLE b ADD COLUMN y text;\n", "m.sql"
    )

    assert [(v.line, v.rule) for v in found] == [
        (1, "require-lock-timeout"),
        (1, "require-statement-timeout"),
    ]


def test_a_timeout_set_to_zero_does_not_count() -> None:
    sql = "SET lock_timeout = 0;\nSET statement_timeout TO '15s';\nDROP INDEX i;"

    assert "require-lock-timeout" in rules_in(sql)
    assert "require-statement-timeout" not in rules_in(sql)


def test_a_table_created_in_the_same_file_is_new_and_may_be_locked() -> None:
    sql = TIMEOUTS + (
        "CREATE TABLE tickets (id int, ref text, user_id int);\n"
        "CREATE INDEX tickets_ref_idx ON tickets (ref);\n"
        "ALTER TABLE tickets ADD CONSTRAINT tickets_user_fk FOREIGN KEY (user_id)"
        " REFERENCES users (id);\n"
        "ALTER TABLE tickets ADD COLUMN paid boolean NOT NULL;\n"
    )

    assert rules_in(sql) == set()


def test_validating_in_the_transaction_that_added_not_valid_keeps_the_lock() -> None:
    same = TIMEOUTS + (
        "BEGIN;\nALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0) NOT VALID;\n"
        "ALTER TABLE orders VALIDATE CONSTRAINT c;\nCOMMIT;"
    )
    apart = same.replace("NOT VALID;\n", "NOT VALID;\nCOMMIT;\nBEGIN;\n")

    assert "constraint-missing-not-valid" in rules_in(same)
    assert "constraint-missing-not-valid" not in rules_in(apart)


def test_a_column_added_with_references_is_a_foreign_key_too() -> None:
    found = lint_text(TIMEOUTS + "ALTER TABLE orders ADD COLUMN user_id int REFERENCES users;", "m")

    assert [v.rule for v in found] == ["adding-foreign-key-constraint"]
    assert "NOT VALID" in found[0].rewrite


def test_rewrites_are_sql_written_from_the_statement() -> None:
    found = {
        v.rule: v.rewrite
        for v in lint_text(
            TIMEOUTS
            + "CREATE UNIQUE INDEX orders_ref_idx ON public.orders (lower(ref)) WHERE ref IS NOT NULL;\n"
            "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0);\n"
            "DROP INDEX a_idx, b_idx;\n",
            "m.sql",
        )
    }

    assert found["require-concurrent-index-creation"] == (
        "CREATE UNIQUE INDEX CONCURRENTLY orders_ref_idx ON public.orders ((lower(ref)))"
        " WHERE ref IS NOT NULL; -- outside a transaction block"
    )
    assert found["constraint-missing-not-valid"] == (
        "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID;"
        " ALTER TABLE orders VALIDATE CONSTRAINT total_positive; -- in a separate transaction"
    )
    assert found["require-concurrent-index-deletion"] == (
        "DROP INDEX CONCURRENTLY a_idx; DROP INDEX CONCURRENTLY b_idx;"
        " -- outside a transaction block"
    )


def test_rewrites_keep_the_schema_and_quote_names_that_need_it() -> None:
    found = {
        v.rule: v.rewrite
        for v in lint_text(
            TIMEOUTS + 'ALTER TABLE billing."Invoices" ALTER COLUMN "paidAt" SET NOT NULL;\n'
            'ALTER TABLE billing."Invoices" ADD CONSTRAINT "Positive" CHECK (total > 0);\n'
            "ALTER TABLE billing.invoices RENAME TO bills;\n",
            "m.sql",
        )
    }

    assert found["setting-not-nullable-field"].startswith(
        'ALTER TABLE billing."Invoices" ADD CONSTRAINT "Invoices_paidAt_not_null"'
        ' CHECK ("paidAt" IS NOT NULL) NOT VALID;'
    )
    assert found["constraint-missing-not-valid"].startswith(
        'ALTER TABLE billing."Invoices" ADD CONSTRAINT "Positive" CHECK (total > 0) NOT VALID;'
    )
    assert found["renaming-table"].startswith(
        "ALTER TABLE billing.invoices RENAME TO bills; CREATE VIEW billing.invoices AS SELECT *"
        " FROM billing.bills;"
    )


@pytest.mark.parametrize(
    ("column", "rule"),
    [
        ("ref text UNIQUE", "disallowed-unique-constraint"),
        ("id bigserial PRIMARY KEY", "disallowed-unique-constraint"),
        ("id bigserial", "adding-field-with-volatile-default"),
        ("qty int CHECK (qty > 0)", "constraint-missing-not-valid"),
    ],
)
def test_constraints_written_on_an_added_column_lock_like_the_alter_forms(
    column: str, rule: str
) -> None:
    assert rule in rules_in(TIMEOUTS + f"ALTER TABLE orders ADD COLUMN {column};")
    assert rule not in rules_in(TIMEOUTS + f"CREATE TABLE fresh ({column});")


@pytest.mark.parametrize("rule", sorted(CASES))
def test_a_rewrite_written_as_sql_is_sql_postgresql_parses(rule: str) -> None:
    from pglast import parser

    unsafe, _ = CASES[rule]
    for violation in lint_text(TIMEOUTS + unsafe, "m.sql"):
        if violation.rewrite.split(" ", 1)[0] in {"CREATE", "DROP", "ALTER"}:
            assert parser.parse_sql(violation.rewrite), violation.rewrite


def test_set_local_lasts_until_the_end_of_its_transaction() -> None:
    sql = (
        "BEGIN;\nSET LOCAL lock_timeout = '5s';\nSET LOCAL statement_timeout = '15s';\n"
        "ALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n"
        "ALTER TABLE orders ADD COLUMN other text;\n"
    )

    found = [(v.line, v.rule) for v in lint_text(sql, "m.sql")]

    assert found == [(6, "require-lock-timeout"), (6, "require-statement-timeout")]


def test_reset_turns_a_timeout_off() -> None:
    sql = TIMEOUTS + "RESET lock_timeout;\nSET statement_timeout TO DEFAULT;\nDROP INDEX i;\n"

    assert {"require-lock-timeout", "require-statement-timeout"} <= rules_in(sql)
