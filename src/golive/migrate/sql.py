"""What the migration rules share: a violation (``Hit``), the file's state so far (``State``),
and the SQL spelling of names, tables and statements for messages and rewrites."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from pglast import ast, keywords, parser, stream

from golive.migrate.catalog import RULES

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


def as_sql(node: ast.Node) -> str:
    return str(stream.RawStream()(node))


def fresh(text: str) -> ast.Node:
    """A new parse tree of one statement's text, to edit into its rewrite."""
    node = parser.parse_sql(text)[0].stmt
    assert node is not None  # the text parsed once already
    return node


def place(location: int | None) -> int | None:
    """A node's location, None when the parser did not record one (-1)."""
    return location if location is not None and location >= 0 else None


def table_sql(relation: ast.RangeVar | None) -> str:
    """The table as SQL (``public."Orders"``), for messages and rewrites."""
    if relation is None or not relation.relname:
        return "?"
    schema = f"{ident(relation.schemaname)}." if relation.schemaname else ""
    return schema + ident(relation.relname)


def table_key(relation: ast.RangeVar | None) -> str:
    """The table's name without its schema, to know tables this file created."""
    return relation.relname if relation is not None and relation.relname else "?"


@lru_cache(maxsize=4096)
def ident(name: str | None) -> str:
    """A column or constraint name as SQL, quoted when it needs to be."""
    if name and _PLAIN.match(name) and name not in _KEYWORDS:
        return name
    return as_sql(ast.ColumnRef(fields=(ast.String(sval=name or "?"),)))


def timeouts(state: State, lock: str, at: int | None) -> Iterator[Hit]:
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
