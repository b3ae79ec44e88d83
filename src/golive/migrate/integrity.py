"""The integrity checks ``golive migrate apply`` runs on the live database after a migration,
and on the database it restored after a failed one.

After a migration (``after_migration``): every table readable (a full ``count(*)``), no index
left invalid (a failed ``CREATE INDEX CONCURRENTLY`` leaves one behind), every validated
foreign key true of the rows (no child row without its parent: rows written while triggers
were off, ``session_replication_role = replica``, break it without an error), and the backup
entry's ``verify.expect`` assertions, read-only. Tables the migration dropped or added are
reported, not failed: that is what migrations do.

After a restore (``as_backed_up``): the row count of every table equal to the count the backup
recorded at backup time, and as many foreign keys as then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from golive.backup import pgtools
from golive.backup.model import Check

if TYPE_CHECKING:
    import psycopg

TABLES = """
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2
"""
INVALID_INDEXES = "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid ORDER BY 1"
FOREIGN_KEYS = """
SELECT c.conname, c.conrelid::regclass::text, c.confrelid::regclass::text,
  ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
  ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
        JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)
FROM pg_constraint c WHERE c.contype = 'f' AND c.convalidated ORDER BY 2, 1
"""


def tables(dsn: str) -> list[str]:
    """The database's tables as ``schema.name`` (raises BackupError when it cannot connect)."""
    with pgtools.connect(dsn, autocommit=True) as connection:
        return [f"{s}.{n}" for s, n in connection.execute(TABLES).fetchall()]


def after_migration(dsn: str, before: Sequence[str], expect: Sequence[str]) -> list[Check]:
    """The checks of the live database after a migration; ``before``: its tables before."""
    from psycopg import sql

    checks: list[Check] = []
    with pgtools.connect(dsn, autocommit=True) as connection:
        now = [f"{s}.{n}" for s, n in connection.execute(TABLES).fetchall()]
        for table in now:
            checks.append(_readable(connection, table, sql))
        gone = sorted(set(before) - set(now))
        added = sorted(set(now) - set(before))
        changed = ", ".join(
            part
            for part in (
                f"dropped {', '.join(gone)}" if gone else "",
                f"added {', '.join(added)}" if added else "",
            )
            if part
        )
        checks.append(Check("tables", True, changed or f"{len(now)} tables, as before"))
        invalid = [row[0] for row in connection.execute(INVALID_INDEXES).fetchall()]
        checks.append(
            Check(
                "indexes valid",
                not invalid,
                f"invalid: {', '.join(invalid)} (a failed CONCURRENTLY build; drop and rebuild it)"
                if invalid
                else "no invalid index",
            )
        )
        for row in connection.execute(FOREIGN_KEYS).fetchall():
            checks.append(_foreign_key(connection, row, sql))
        for index, statement in enumerate(expect, 1):
            checks.append(_expect(connection, index, statement))
    return checks


def as_backed_up(dsn: str, source: Mapping[str, Any]) -> list[Check]:
    """The restored database against what the backup recorded of its source."""
    from psycopg import sql

    counted: dict[str, int] = dict(source.get("tables", {}))
    checks: list[Check] = []
    with pgtools.connect(dsn, autocommit=True) as connection:
        for table, rows in counted.items():
            check = _readable(connection, table, sql)
            got = check.detail.removesuffix(" rows")
            if check.ok and got != str(rows):
                check = Check(f"rows {table}", False, f"{got} rows, {rows} at backup time")
            elif check.ok:
                check = Check(f"rows {table}", True, f"{rows} rows, as at backup time")
            checks.append(check)
        keys = connection.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f'")
        got_keys = int(keys.fetchone()[0])  # type: ignore[index]
        want = int(source.get("foreign_keys", 0))
        checks.append(Check("foreign keys", got_keys == want, f"{got_keys}, {want} at backup time"))
    return checks


def _readable(connection: psycopg.Connection[Any], table: str, sql: Any) -> Check:
    import psycopg

    schema, _, name = table.partition(".")
    query = sql.SQL("SELECT count(*) FROM {}.{}").format(
        sql.Identifier(schema), sql.Identifier(name)
    )
    try:
        rows = connection.execute(query).fetchone()[0]  # type: ignore[index]
    except psycopg.Error as exc:
        return Check(f"readable {table}", False, _first_line(exc))
    return Check(f"readable {table}", True, f"{rows} rows")


def _foreign_key(connection: psycopg.Connection[Any], row: Any, sql: Any) -> Check:
    """Child rows whose key (all columns set: MATCH SIMPLE) has no parent row."""
    import psycopg

    name, child, parent, child_cols, parent_cols = row
    setted = sql.SQL(" AND ").join(
        sql.SQL("c.{} IS NOT NULL").format(sql.Identifier(col)) for col in child_cols
    )
    joined = sql.SQL(" AND ").join(
        sql.SQL("p.{} = c.{}").format(sql.Identifier(p), sql.Identifier(c))
        for c, p in zip(child_cols, parent_cols, strict=True)
    )
    # regclass::text is already a quoted, schema-qualified-when-needed name
    query = sql.SQL(
        "SELECT count(*) FROM {} c WHERE {} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {})"
    ).format(sql.SQL(child), setted, sql.SQL(parent), joined)
    label = f"foreign key {child}.{name}"
    try:
        orphans = int(connection.execute(query).fetchone()[0])  # type: ignore[index]
    except psycopg.Error as exc:
        return Check(label, False, _first_line(exc))
    if orphans:
        return Check(label, False, f"{orphans} rows of {child} have no row in {parent}")
    return Check(label, True, f"every row of {child} has its row in {parent}")


def _expect(connection: psycopg.Connection[Any], index: int, statement: str) -> Check:
    import psycopg

    name = f"expect {index}"
    try:
        with connection.transaction():
            connection.execute("SET TRANSACTION READ ONLY")
            row = connection.execute(statement).fetchone()
    except psycopg.Error as exc:
        return Check(name, False, f"{statement}: {_first_line(exc)}")
    if row is None or len(row) != 1 or not isinstance(row[0], bool):
        return Check(name, False, f"{statement}: must return one true/false value, got {row!r}")
    return Check(name, bool(row[0]), statement if row[0] else f"{statement} is false")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
