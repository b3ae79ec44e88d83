"""The rules: which statements lock or break a live database, and the safe way to write each.

The facts follow PostgreSQL's documentation on explicit locking and the rule sets of squawk and
strong_migrations. A rule has a stable id (used by ``--ignore`` and by ``-- golive: ignore``
comments), what goes wrong, and the safe rewrite in words; a violation's own rewrite is SQL
when golive can write it from the statement.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    """A rule's id, what goes wrong, and the safe rewrite in words."""

    id: str
    summary: str
    rewrite: str


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "require-concurrent-index-creation",
            "CREATE INDEX takes a SHARE lock: every write to the table waits until the index is"
            " built",
            "CREATE INDEX CONCURRENTLY, in its own migration outside a transaction block",
        ),
        Rule(
            "require-concurrent-index-deletion",
            "DROP INDEX takes an ACCESS EXCLUSIVE lock on the table: reads and writes wait",
            "DROP INDEX CONCURRENTLY (one index per statement, outside a transaction block)",
        ),
        Rule(
            "ban-concurrent-index-creation-in-transaction",
            "CONCURRENTLY cannot run inside a transaction block: PostgreSQL refuses it and the"
            " migration fails",
            "end the transaction first (COMMIT), or mark the migration non-atomic, and run the"
            " CONCURRENTLY statement on its own",
        ),
        Rule(
            "adding-not-nullable-field",
            "ADD COLUMN ... NOT NULL without a DEFAULT fails on a table that has rows",
            "add the column with a constant DEFAULT (no rewrite since PostgreSQL 11), or add it"
            " nullable, backfill in batches, then enforce NOT NULL through a NOT VALID check",
        ),
        Rule(
            "setting-not-nullable-field",
            "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
            "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c (in"
            " another transaction); then SET NOT NULL uses the check (PostgreSQL 12+) and c can"
            " be dropped",
        ),
        Rule(
            "adding-field-with-volatile-default",
            "a column with a volatile DEFAULT (random(), gen_random_uuid(), clock_timestamp(),"
            " nextval) rewrites the table under an ACCESS EXCLUSIVE lock",
            "add the column without a default, set the default in a second statement, and"
            " backfill existing rows in batches",
        ),
        Rule(
            "changing-column-type",
            "ALTER COLUMN ... TYPE rewrites the table (and its indexes) under an ACCESS EXCLUSIVE"
            " lock, unless the types are binary coercible",
            "add a column of the new type, write both from the app, backfill in batches, switch"
            " reads, then drop the old column in a later release",
        ),
        Rule(
            "renaming-column",
            "renaming a column breaks the running app's queries that still use the old name",
            "add the new column, write both, backfill, switch reads, drop the old column later"
            " (or rename and keep a view with the old name for the old code)",
        ),
        Rule(
            "renaming-table",
            "renaming a table breaks the running app's queries that still use the old name",
            "create the new table and write both, or rename and CREATE VIEW old_name AS SELECT *"
            " FROM new_name until every app version uses the new name",
        ),
        Rule(
            "ban-drop-column",
            "dropping a column breaks the running app's queries that still select it",
            "stop using the column in the code (e.g. ignored_columns) and deploy that first; drop"
            " it in a later migration",
        ),
        Rule(
            "ban-drop-table",
            "dropping a table loses its data and breaks any code that still reads it",
            "remove every use in the code and deploy first, take a backup, then drop it in a"
            " later migration",
        ),
        Rule(
            "require-lock-timeout",
            "a statement that needs a strong lock runs without lock_timeout: while it waits"
            " behind a long transaction, every query on the table queues behind it",
            "SET lock_timeout = '5s'; at the top of the migration (and retry on timeout)",
        ),
        Rule(
            "require-statement-timeout",
            "a locking statement runs without statement_timeout: a slow one holds its lock for"
            " as long as it takes",
            "SET statement_timeout = '15s'; at the top of the migration (raise it for a known"
            " long CONCURRENTLY build)",
        ),
        Rule(
            "adding-foreign-key-constraint",
            "adding a FOREIGN KEY validates every row while holding SHARE ROW EXCLUSIVE locks on"
            " both tables: writes to both wait",
            "ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a separate transaction",
        ),
        Rule(
            "constraint-missing-not-valid",
            "adding a CHECK constraint scans the table under an ACCESS EXCLUSIVE lock (and a"
            " VALIDATE in the same transaction as its NOT VALID add keeps that lock)",
            "ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a separate transaction",
        ),
        Rule(
            "disallowed-unique-constraint",
            "ADD UNIQUE / PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock",
            "CREATE UNIQUE INDEX CONCURRENTLY idx ...; then ADD CONSTRAINT c UNIQUE USING INDEX"
            " idx (or PRIMARY KEY USING INDEX idx)",
        ),
        Rule(
            "syntax-error",
            "PostgreSQL's parser cannot read this statement, so nothing about it can be checked",
            "fix the statement (psql would refuse it the same way)",
        ),
        Rule(
            "invalid-ignore",
            "a '-- golive: ignore' comment that names no known rule or gives no reason",
            "write '-- golive: ignore RULE[,RULE...] REASON' with a rule id from this list",
        ),
    )
}
