"""The checks behind the rules of ``catalog.py``. ``check`` walks one parsed statement with the
file's state so far (inside ``BEGIN``? timeouts set? tables this file created?) and yields the
violations it finds; tables created earlier in the same file are new and empty, so locking them
is harmless and no rule about locks fires for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from pglast import ast, keywords, parser, stream
from pglast.enums import AlterTableType, ConstrType, ObjectType, TransactionStmtKind

from golive.migrate.catalog import RULES

# Functions whose value differs per row: a DEFAULT calling one rewrites the table.
VOLATILE = frozenset(
    {"random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v4", "clock_timestamp",
     "timeofday", "nextval", "random_normal", "uuidv4", "uuidv7"}
)  # fmt: skip


_PLAIN = re.compile(r"[a-z_][a-z0-9_]*\Z")
_KEYWORDS = frozenset(
    keywords.RESERVED_KEYWORDS | keywords.TYPE_FUNC_NAME_KEYWORDS | keywords.COL_NAME_KEYWORDS
)


@dataclass(frozen=True)
class Hit:
    """A rule broken by a statement: where (a file offset, or None for the statement's start),
    what exactly, and the rewrite (SQL when golive can write it, else the rule's words)."""

    rule: str
    message: str
    rewrite: str
    at: int | None = None


@dataclass
class State:
    """What the statements before this one did, as far as the rules care."""

    in_transaction: bool = False
    session: dict[str, bool] = field(default_factory=dict)  # timeouts set for the session
    local: dict[str, bool] = field(default_factory=dict)  # ... by SET LOCAL, until COMMIT
    created: set[str] = field(default_factory=set)
    not_valid: set[str] = field(default_factory=set)  # constraints added NOT VALID in this tx
    reported: set[str] = field(default_factory=set)  # once-per-file rules already reported

    def timeout(self, name: str) -> bool:
        """Whether ``name`` (``lock_timeout``, ``statement_timeout``) is set and not 0 now."""
        return self.local.get(name, self.session.get(name, False))


def _sql(node: ast.Node) -> str:
    return str(stream.RawStream()(node))


def _fresh(text: str) -> ast.Node:
    """A new parse tree of one statement's text, to edit into its rewrite."""
    node = parser.parse_sql(text)[0].stmt
    assert node is not None  # the text parsed once already
    return node


def _place(location: int | None) -> int | None:
    """A node's location, None when the parser did not record one (-1)."""
    return location if location is not None and location >= 0 else None


def _name(relation: ast.RangeVar | None) -> str:
    """The table as SQL (``public."Orders"``), for messages and rewrites."""
    if relation is None or not relation.relname:
        return "?"
    schema = f"{_ident(relation.schemaname)}." if relation.schemaname else ""
    return schema + _ident(relation.relname)


def _key(relation: ast.RangeVar | None) -> str:
    """The table's name without its schema, to know tables this file created."""
    return relation.relname if relation is not None and relation.relname else "?"


@lru_cache(maxsize=4096)
def _ident(name: str | None) -> str:
    """A column or constraint name as SQL, quoted when it needs to be."""
    if name and _PLAIN.match(name) and name not in _KEYWORDS:
        return name
    return _sql(ast.ColumnRef(fields=(ast.String(sval=name or "?"),)))


def check(node: ast.Node, text: str, state: State) -> Iterator[Hit]:
    """The rules ``node`` (parsed from ``text``) breaks, given what came before it."""
    if isinstance(node, ast.TransactionStmt):
        _transaction(node, state)
    elif isinstance(node, ast.VariableSetStmt):
        _setting(node, state)
    elif isinstance(node, ast.CreateStmt):
        state.created.add(_key(node.relation))
    elif isinstance(node, ast.IndexStmt):
        yield from _index(node, text, state)
    elif isinstance(node, ast.DropStmt):
        yield from _drop(node, text, state)
    elif isinstance(node, ast.RenameStmt):
        yield from _rename(node, state)
    elif isinstance(node, ast.AlterTableStmt):
        yield from _alter(node, text, state)


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


def _timeouts(state: State, lock: str, at: int | None) -> Iterator[Hit]:
    """The timeout rules, once per file, at the first statement that takes ``lock``."""
    for rule in ("require-lock-timeout", "require-statement-timeout"):
        setting = rule.removeprefix("require-").replace("-", "_")
        if not state.timeout(setting) and rule not in state.reported:
            state.reported.add(rule)
            yield Hit(
                rule,
                f"this statement takes {lock} with no {setting} set earlier in the file",
                RULES[rule].rewrite,
                at,
            )


def _index(node: ast.IndexStmt, text: str, state: State) -> Iterator[Hit]:
    table = _name(node.relation)
    new = _key(node.relation) in state.created
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
    yield from _timeouts(state, "a SHARE lock", None)
    fixed = _fresh(text)
    fixed.concurrent = True
    yield Hit(
        "require-concurrent-index-creation",
        f"CREATE INDEX on {table} blocks writes to {table} until the index is built",
        f"{_sql(fixed)}; -- outside a transaction block",
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
        yield from _timeouts(state, "an ACCESS EXCLUSIVE lock", None)
        rewrite = " ".join(f"DROP INDEX CONCURRENTLY {name};" for name in names)
        yield Hit(
            "require-concurrent-index-deletion",
            f"DROP INDEX {', '.join(names)} locks its table against reads and writes",
            f"{rewrite} -- outside a transaction block",
        )
    elif node.removeType == ObjectType.OBJECT_TABLE:
        existing = [n for n in names if n.rsplit(".", 1)[-1] not in state.created]
        if existing:
            yield from _timeouts(state, "an ACCESS EXCLUSIVE lock", None)
            yield Hit(
                "ban-drop-table",
                f"DROP TABLE {', '.join(existing)} loses its data and breaks code that reads it",
                RULES["ban-drop-table"].rewrite,
            )


def _rename(node: ast.RenameStmt, state: State) -> Iterator[Hit]:
    table = _name(node.relation)
    if _key(node.relation) in state.created:
        return
    if node.renameType == ObjectType.OBJECT_COLUMN:
        yield from _timeouts(state, "an ACCESS EXCLUSIVE lock", None)
        yield Hit(
            "renaming-column",
            f"renaming {table}.{node.subname} to {node.newname} breaks running code that uses"
            f" {node.subname}",
            RULES["renaming-column"].rewrite,
        )
    elif node.renameType == ObjectType.OBJECT_TABLE:
        bare = _ident(node.newname)  # RENAME TO takes no schema: the table stays in its own
        schema = node.relation.schemaname if node.relation is not None else None
        new = f"{_ident(schema)}.{bare}" if schema else bare
        yield from _timeouts(state, "an ACCESS EXCLUSIVE lock", None)
        yield Hit(
            "renaming-table",
            f"renaming {table} to {new} breaks running code that uses {table}",
            f"ALTER TABLE {table} RENAME TO {bare}; CREATE VIEW {table} AS SELECT * FROM"
            f" {new}; -- drop the view once no code uses {table}",
        )


def _alter(node: ast.AlterTableStmt, text: str, state: State) -> Iterator[Hit]:
    if node.relation is None or _key(node.relation) in state.created:
        return
    hits: list[Hit] = []
    for cmd in node.cmds or ():
        if isinstance(cmd, ast.AlterTableCmd):
            hits.extend(_command(cmd, node.relation, state))
    if node.cmds:
        yield from _timeouts(state, "an ACCESS EXCLUSIVE lock", None)
    yield from hits


def _command(cmd: ast.AlterTableCmd, relation: ast.RangeVar, state: State) -> Iterator[Hit]:
    kind = cmd.subtype
    table = _name(relation)
    column = _ident(cmd.name)
    if kind == AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
        yield from _add_column(cmd.def_, relation)
    elif kind == AlterTableType.AT_SetNotNull:
        check_name = _ident(f"{_key(relation)}_{cmd.name}_not_null")
        yield Hit(
            "setting-not-nullable-field",
            f"SET NOT NULL on {table}.{column} scans {table} under an ACCESS EXCLUSIVE lock",
            f"ALTER TABLE {table} ADD CONSTRAINT {check_name} CHECK ({column} IS NOT NULL) NOT"
            f" VALID; ALTER TABLE {table} VALIDATE CONSTRAINT {check_name}; ALTER TABLE {table}"
            f" ALTER COLUMN {column} SET NOT NULL; ALTER TABLE {table} DROP CONSTRAINT"
            f" {check_name};",
        )
    elif kind == AlterTableType.AT_AlterColumnType:
        yield Hit(
            "changing-column-type",
            f"changing the type of {table}.{column} rewrites {table} under an ACCESS EXCLUSIVE"
            " lock",
            RULES["changing-column-type"].rewrite,
        )
    elif kind == AlterTableType.AT_DropColumn:
        yield Hit(
            "ban-drop-column",
            f"dropping {table}.{column} breaks running code that still selects it",
            RULES["ban-drop-column"].rewrite,
        )
    elif kind == AlterTableType.AT_AddConstraint and isinstance(cmd.def_, ast.Constraint):
        yield from _constraint(cmd.def_, relation, state)
    elif kind == AlterTableType.AT_ValidateConstraint and cmd.name in state.not_valid:
        yield Hit(
            "constraint-missing-not-valid",
            f"VALIDATE CONSTRAINT {column} in the same transaction that added it NOT VALID keeps"
            f" the lock on {table} for the whole scan",
            "COMMIT after the NOT VALID add, and VALIDATE in a separate transaction",
        )


def _add_column(column: ast.ColumnDef, relation: ast.RangeVar) -> Iterator[Hit]:
    table = _name(relation)
    colname = _ident(column.colname)
    constraints = [c for c in column.constraints or () if isinstance(c, ast.Constraint)]
    kinds = {c.contype for c in constraints}
    default = next(
        (c.raw_expr for c in constraints if c.contype == ConstrType.CONSTR_DEFAULT), None
    )
    name = f"{table}.{colname}"
    if ConstrType.CONSTR_NOTNULL in kinds and default is None:
        yield Hit(
            "adding-not-nullable-field",
            f"adding {name} NOT NULL without a DEFAULT fails if {table} has rows",
            RULES["adding-not-nullable-field"].rewrite,
            column.location,
        )
    if default is not None and _volatile(default):
        yield Hit(
            "adding-field-with-volatile-default",
            f"the DEFAULT of {name} is volatile: {table} is rewritten under an ACCESS EXCLUSIVE"
            " lock",
            RULES["adding-field-with-volatile-default"].rewrite,
            column.location,
        )
    if _serial(column):
        yield Hit(
            "adding-field-with-volatile-default",
            f"{name} is serial: its DEFAULT nextval() fills every row, rewriting {table} under"
            " an ACCESS EXCLUSIVE lock",
            RULES["adding-field-with-volatile-default"].rewrite,
            column.location,
        )
    for constraint in constraints:
        at = _place(constraint.location) or column.location
        if constraint.contype == ConstrType.CONSTR_FOREIGN:
            target = _name(constraint.pktable)
            fkey = _ident(f"{_key(relation)}_{column.colname}_fkey")
            yield Hit(
                "adding-foreign-key-constraint",
                f"{name} REFERENCES {target} validates every row while locking {table} and"
                f" {target} against writes",
                f"ADD COLUMN {colname} ... without REFERENCES; then ALTER TABLE {table} ADD"
                f" CONSTRAINT {fkey} FOREIGN KEY ({colname}) REFERENCES {target} NOT VALID;"
                f" ALTER TABLE {table} VALIDATE CONSTRAINT {fkey};",
                at,
            )
        elif constraint.contype == ConstrType.CONSTR_CHECK:
            yield Hit(
                "constraint-missing-not-valid",
                f"the CHECK on new column {name} scans {table} under an ACCESS EXCLUSIVE lock",
                f"ADD COLUMN {colname} ... without the CHECK; then ADD CONSTRAINT ... CHECK (...)"
                " NOT VALID and VALIDATE CONSTRAINT in a separate transaction",
                at,
            )
        elif constraint.contype in (ConstrType.CONSTR_UNIQUE, ConstrType.CONSTR_PRIMARY):
            kind = "UNIQUE" if constraint.contype == ConstrType.CONSTR_UNIQUE else "PRIMARY KEY"
            yield Hit(
                "disallowed-unique-constraint",
                f"{name} {kind} builds its index on {table} under an ACCESS EXCLUSIVE lock",
                f"ADD COLUMN {colname} ... without {kind}; then CREATE UNIQUE INDEX CONCURRENTLY"
                f" ... ON {table} ({colname}) and ADD CONSTRAINT ... {kind} USING INDEX ...",
                at,
            )


def _serial(column: ast.ColumnDef) -> bool:
    names = column.typeName.names if column.typeName is not None else None
    last = getattr(names[-1], "sval", "") if names else ""
    return last.lower() in {"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"}


def _volatile(expr: ast.Node) -> bool:
    if isinstance(expr, ast.FuncCall):
        name = getattr(expr.funcname[-1], "sval", "") if expr.funcname else ""
        return name.lower() in VOLATILE
    if isinstance(expr, ast.TypeCast) and expr.arg is not None:
        return _volatile(expr.arg)
    return False


def _constraint(constraint: ast.Constraint, relation: ast.RangeVar, state: State) -> Iterator[Hit]:
    table = _name(relation)
    conname = constraint.conname or f"{_key(relation)}_constraint"
    name = _ident(conname)
    at = _place(constraint.location)
    if constraint.skip_validation:
        if state.in_transaction:  # outside BEGIN ... COMMIT each statement commits on its own
            state.not_valid.add(conname)
        return
    add = ast.AlterTableStmt(
        relation=ast.RangeVar(relname=relation.relname, schemaname=relation.schemaname, inh=True),
        cmds=(ast.AlterTableCmd(subtype=AlterTableType.AT_AddConstraint, def_=constraint),),
        objtype=ObjectType.OBJECT_TABLE,
    )
    validate = f"ALTER TABLE {table} VALIDATE CONSTRAINT {name};"
    if constraint.contype == ConstrType.CONSTR_FOREIGN:
        target = _name(constraint.pktable)
        rewrite = _not_valid(add, constraint, conname)
        yield Hit(
            "adding-foreign-key-constraint",
            f"FOREIGN KEY {name} validates every row of {table} while locking {table} and"
            f" {target} against writes",
            f"{rewrite}; {validate} -- in a separate transaction",
            at,
        )
    elif constraint.contype == ConstrType.CONSTR_CHECK:
        rewrite = _not_valid(add, constraint, conname)
        yield Hit(
            "constraint-missing-not-valid",
            f"CHECK {name} scans {table} under an ACCESS EXCLUSIVE lock",
            f"{rewrite}; {validate} -- in a separate transaction",
            at,
        )
    elif (
        constraint.contype in (ConstrType.CONSTR_UNIQUE, ConstrType.CONSTR_PRIMARY)
        and not constraint.indexname
    ):
        keys = ", ".join(_ident(getattr(k, "sval", "?")) for k in constraint.keys or ())
        kind = "UNIQUE" if constraint.contype == ConstrType.CONSTR_UNIQUE else "PRIMARY KEY"
        index = _ident(f"{conname}_idx")
        yield Hit(
            "disallowed-unique-constraint",
            f"ADD {kind} {name} builds its index on {table} under an ACCESS EXCLUSIVE lock",
            f"CREATE UNIQUE INDEX CONCURRENTLY {index} ON {table} ({keys}); ALTER TABLE {table}"
            f" ADD CONSTRAINT {name} {kind} USING INDEX {index};",
            at,
        )


def _not_valid(add: ast.AlterTableStmt, constraint: ast.Constraint, name: str) -> str:
    before = (constraint.conname, constraint.skip_validation, constraint.initially_valid)
    constraint.conname, constraint.skip_validation, constraint.initially_valid = name, True, False
    try:
        return _sql(add)
    finally:  # the parse tree stays as parsed
        constraint.conname, constraint.skip_validation, constraint.initially_valid = before
