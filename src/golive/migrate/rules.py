"""The checks behind the rules of ``catalog.py``. ``check`` walks one parsed statement with the
file's state so far (inside ``BEGIN``? timeouts set? tables this file created?) and yields the
violations it finds; tables created earlier in the same file are new and empty, so locking them
is harmless and no rule about locks fires for them.
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast
from pglast.enums import ObjectType, TransactionStmtKind

from golive.migrate.catalog import RULES
from golive.migrate.rules_alter import alter
from golive.migrate.sql import Hit, State, as_sql, fresh, ident, table_key, table_sql, timeouts

__all__ = ["Hit", "State", "check"]


def check(node: ast.Node, text: str, state: State) -> Iterator[Hit]:
    """The rules ``node`` (parsed from ``text``) breaks, given what came before it."""
    if isinstance(node, ast.TransactionStmt):
        _transaction(node, state)
    elif isinstance(node, ast.VariableSetStmt):
        _setting(node, state)
    elif isinstance(node, ast.CreateStmt):
        state.created.add(table_key(node.relation))
    elif isinstance(node, ast.IndexStmt):
        yield from _index(node, text, state)
    elif isinstance(node, ast.DropStmt):
        yield from _drop(node, text, state)
    elif isinstance(node, ast.RenameStmt):
        yield from _rename(node, state)
    elif isinstance(node, ast.AlterTableStmt):
        yield from alter(node, text, state)


def _transaction(node: ast.TransactionStmt, state: State) -> None:
    kind = node.kind
    if kind in (TransactionStmtKind.TRANS_STMT_BEGIN, TransactionStmtKind.TRANS_STMT_START):
        state.in_transaction = True
    elif kind in (
        TransactionStmtKind.TRANS_STMT_COMMIT,
        TransactionStmtKind.TRANS_STMT_ROLLBACK,
        TransactionStmtKind.TRANS_STMT_PREPARE,
    ):
        state.in_transaction = False
        state.not_valid.clear()
        state.local.clear()


def _setting(node: ast.VariableSetStmt, state: State) -> None:
    name = (node.name or "").lower()
    if name not in ("lock_timeout", "statement_timeout"):
        return
    args = node.args or ()
    value = args[0].val if args and isinstance(args[0], ast.A_Const) else None
    raw = getattr(value, "ival", None)
    raw = getattr(value, "sval", raw) if raw is None else raw
    positive = raw is not None and str(raw).strip() not in ("0", "")  # RESET, DEFAULT: off
    (state.local if node.is_local else state.session)[name] = positive


def _index(node: ast.IndexStmt, text: str, state: State) -> Iterator[Hit]:
    table = table_sql(node.relation)
    new = table_key(node.relation) in state.created
    if node.concurrent:
        if state.in_transaction:
            yield Hit(
                "ban-concurrent-index-creation-in-transaction",
                f"CREATE INDEX CONCURRENTLY on {table} inside BEGIN ... COMMIT: PostgreSQL"
                " refuses it",
                RULES["ban-concurrent-index-creation-in-transaction"].rewrite,
            )
        return
    if new:
        return
    yield from timeouts(state, "a SHARE lock", None)
    fixed = fresh(text)
    fixed.concurrent = True
    yield Hit(
        "require-concurrent-index-creation",
        f"CREATE INDEX on {table} blocks writes to {table} until the index is built",
        f"{as_sql(fixed)}; -- outside a transaction block",
    )


def _drop(node: ast.DropStmt, text: str, state: State) -> Iterator[Hit]:
    names = [".".join(getattr(p, "sval", "?") for p in obj) for obj in node.objects or ()]
    if node.removeType == ObjectType.OBJECT_INDEX:
        if node.concurrent:
            if state.in_transaction:
                yield Hit(
                    "ban-concurrent-index-creation-in-transaction",
                    f"DROP INDEX CONCURRENTLY {', '.join(names)} inside BEGIN ... COMMIT:"
                    " PostgreSQL refuses it",
                    RULES["ban-concurrent-index-creation-in-transaction"].rewrite,
                )
            return
        yield from timeouts(state, "an ACCESS EXCLUSIVE lock", None)
        rewrite = " ".join(f"DROP INDEX CONCURRENTLY {name};" for name in names)
        yield Hit(
            "require-concurrent-index-deletion",
            f"DROP INDEX {', '.join(names)} locks its table against reads and writes",
            f"{rewrite} -- outside a transaction block",
        )
    elif node.removeType == ObjectType.OBJECT_TABLE:
        existing = [n for n in names if n.rsplit(".", 1)[-1] not in state.created]
        if existing:
            yield from timeouts(state, "an ACCESS EXCLUSIVE lock", None)
            yield Hit(
                "ban-drop-table",
                f"DROP TABLE {', '.join(existing)} loses its data and breaks code that reads it",
                RULES["ban-drop-table"].rewrite,
            )


def _rename(node: ast.RenameStmt, state: State) -> Iterator[Hit]:
    table = table_sql(node.relation)
    if table_key(node.relation) in state.created:
        return
    if node.renameType == ObjectType.OBJECT_COLUMN:
        yield from timeouts(state, "an ACCESS EXCLUSIVE lock", None)
        yield Hit(
            "renaming-column",
            f"renaming {table}.{node.subname} to {node.newname} breaks running code that uses"
            f" {node.subname}",
            RULES["renaming-column"].rewrite,
        )
    elif node.renameType == ObjectType.OBJECT_TABLE:
        bare = ident(node.newname)  # RENAME TO takes no schema: the table stays in its own
        schema = node.relation.schemaname if node.relation is not None else None
        new = f"{ident(schema)}.{bare}" if schema else bare
        yield from timeouts(state, "an ACCESS EXCLUSIVE lock", None)
        yield Hit(
            "renaming-table",
            f"renaming {table} to {new} breaks running code that uses {table}",
            f"ALTER TABLE {table} RENAME TO {bare}; CREATE VIEW {table} AS SELECT * FROM"
            f" {new}; -- drop the view once no code uses {table}",
        )
