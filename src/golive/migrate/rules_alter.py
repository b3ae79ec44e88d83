"""The rules of ``ALTER TABLE``: added columns (NOT NULL, volatile defaults, serials, inline
constraints), SET NOT NULL, type changes, dropped columns and added constraints, each with the
rewrite that takes no long lock."""

from __future__ import annotations

from collections.abc import Iterator

from pglast import ast
from pglast.enums import AlterTableType, ConstrType, ObjectType

from golive.migrate.catalog import RULES
from golive.migrate.sql import Hit, State, as_sql, ident, place, table_key, table_sql, timeouts

# Functions whose value differs per row: a DEFAULT calling one rewrites the table.
VOLATILE = frozenset(
    {"random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v4", "clock_timestamp",
     "timeofday", "nextval", "random_normal", "uuidv4", "uuidv7"}
)  # fmt: skip


def alter(node: ast.AlterTableStmt, text: str, state: State) -> Iterator[Hit]:
    if node.relation is None or table_key(node.relation) in state.created:
        return
    hits: list[Hit] = []
    for cmd in node.cmds or ():
        if isinstance(cmd, ast.AlterTableCmd):
            hits.extend(_command(cmd, node.relation, state))
    if node.cmds:
        yield from timeouts(state, "an ACCESS EXCLUSIVE lock", None)
    yield from hits


def _command(cmd: ast.AlterTableCmd, relation: ast.RangeVar, state: State) -> Iterator[Hit]:
    kind = cmd.subtype
    table = table_sql(relation)
    column = ident(cmd.name)
    if kind == AlterTableType.AT_AddColumn and isinstance(cmd.def_, ast.ColumnDef):
        yield from _add_column(cmd.def_, relation)
    elif kind == AlterTableType.AT_SetNotNull:
        check_name = ident(f"{table_key(relation)}_{cmd.name}_not_null")
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
    table = table_sql(relation)
    colname = ident(column.colname)
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
        at = place(constraint.location) or column.location
        if constraint.contype == ConstrType.CONSTR_FOREIGN:
            target = table_sql(constraint.pktable)
            fkey = ident(f"{table_key(relation)}_{column.colname}_fkey")
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
    table = table_sql(relation)
    conname = constraint.conname or f"{table_key(relation)}_constraint"
    name = ident(conname)
    at = place(constraint.location)
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
        target = table_sql(constraint.pktable)
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
        keys = ", ".join(ident(getattr(k, "sval", "?")) for k in constraint.keys or ())
        kind = "UNIQUE" if constraint.contype == ConstrType.CONSTR_UNIQUE else "PRIMARY KEY"
        index = ident(f"{conname}_idx")
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
        return as_sql(add)
    finally:  # the parse tree stays as parsed
        constraint.conname, constraint.skip_validation, constraint.initially_valid = before
