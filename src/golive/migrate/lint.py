"""``golive migrate lint``: the rules over migration files, each violation with file:line:col.

Inputs are ``.sql`` files and directories (their ``.sql`` files, sorted by path, so numbered
migrations are read in order). Each file is linted on its own: a ``SET lock_timeout`` in one
file does not cover the next, because a migration tool runs each in its own session.

A ``-- golive: ignore RULE[,RULE...] REASON`` comment accepts a violation: it covers the
statement it sits in or ends the line of, or else the next statement. One without a reason, or
naming an unknown rule, is itself a violation (``invalid-ignore``) and ignores nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from golive.exceptions import UsageError
from golive.migrate.catalog import RULES
from golive.migrate.rules import Hit, State, check
from golive.migrate.source import Ignore, SqlFile, Statement, parse_file

NOT_SQL = (
    "only .sql files are linted: for Django write the SQL with `manage.py sqlmigrate APP NUMBER`,"
    " for Alembic with `alembic upgrade --sql`"
)


@dataclass(frozen=True)
class Violation:
    """One broken rule at one place, with the safe rewrite."""

    file: str
    line: int
    column: int
    rule: str
    message: str
    rewrite: str
    ignored: str | None = None  # the reason of the comment that accepted it

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.rule}: {self.message}"

    def as_json(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class LintReport:
    """The violations in the files linted (accepted ones included, marked ``ignored``)."""

    files: tuple[str, ...]
    violations: tuple[Violation, ...]

    @property
    def open(self) -> tuple[Violation, ...]:
        """The violations no comment or ``--ignore`` accepted."""
        return tuple(v for v in self.violations if v.ignored is None)


def migration_files(paths: Sequence[Path]) -> list[Path]:
    """The ``.sql`` files that ``paths`` name, directories expanded and sorted; a path that does
    not exist, a file that is not ``.sql`` or a directory without any is a ``UsageError``."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.sql") if p.is_file())
            if not files:
                raise UsageError(f"{path}: no .sql files in this directory ({NOT_SQL})")
            found.extend(files)
        elif path.is_file():
            if path.suffix.lower() != ".sql":
                raise UsageError(f"{path}: {NOT_SQL}")
            found.append(path)
        else:
            raise UsageError(f"{path}: no such file or directory")
    return found


def check_rule_ids(ids: Iterable[str]) -> frozenset[str]:
    """The rule ids given to ``--ignore``, each checked (``UsageError`` with a did-you-mean)."""
    for rule in ids:
        if rule not in RULES:
            raise UsageError.unknown("rule", rule, list(RULES))
    return frozenset(ids)


def lint_paths(
    paths: Sequence[Path], *, ignore: Iterable[str] = (), root: Path | None = None
) -> LintReport:
    """Lint every migration file ``paths`` name; file names are shown relative to ``root``."""
    skip = check_rule_ids(ignore)
    files = migration_files(paths)
    violations: list[Violation] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
        except OSError as exc:
            raise UsageError(f"{path}: cannot be read ({exc.strerror})") from exc
        shown = _shown(path, root)
        violations.extend(v for v in lint_text(text, shown) if v.rule not in skip)
    return LintReport(tuple(_shown(p, root) for p in files), tuple(violations))


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)


def lint_text(text: str, name: str) -> list[Violation]:
    """The violations in one file's text, in file order."""
    sql = parse_file(Path(name), text)
    state = State()
    found: list[tuple[int, Statement, Hit]] = []
    for statement in sql.statements:
        if statement.node is None:
            at = statement.error_at if statement.error_at is not None else statement.start
            message = f"{statement.error} (the statement is not checked)"
            hit = Hit("syntax-error", message, RULES["syntax-error"].rewrite, at)
            found.append((at, statement, hit))
            continue
        for hit in check(statement.node, statement.text, state):
            at = statement.base + hit.at if hit.at is not None else statement.start
            found.append((at, statement, hit))
    accepted, invalid = _ignores(sql)
    violations = [
        _violation(sql, at, hit, _accepting(sql, accepted, statement, hit.rule))
        for at, statement, hit in found
    ]
    violations.extend(invalid)
    return sorted(violations, key=lambda v: (v.line, v.column))


def _ignores(sql: SqlFile) -> tuple[list[Ignore], list[Violation]]:
    accepted: list[Ignore] = []
    invalid: list[Violation] = []
    for ignore in sql.ignores:
        unknown = [r for r in ignore.rules if r not in RULES]
        if not ignore.rules or unknown or not ignore.reason:
            why = (
                f"unknown rule {', '.join(unknown)}"
                if unknown
                else "no rule named"
                if not ignore.rules
                else "no reason given"
            )
            hit = Hit(
                "invalid-ignore",
                f"this ignore comment is not applied: {why}",
                RULES["invalid-ignore"].rewrite,
            )
            invalid.append(_violation(sql, ignore.at, hit, None))
        else:
            accepted.append(ignore)
    return accepted, invalid


def _accepting(sql: SqlFile, ignores: list[Ignore], statement: Statement, rule: str) -> str | None:
    """The reason of the ignore comment that covers ``statement`` for ``rule``, if any."""
    for ignore in ignores:
        if rule in ignore.rules and _covered(sql, ignore, statement):
            return ignore.reason
    return None


def _covered(sql: SqlFile, ignore: Ignore, statement: Statement) -> bool:
    if statement.start <= ignore.at < statement.end:
        return True  # inside the statement
    if ignore.at >= statement.end:  # after it, on the line where it ends
        return sql.line_of(ignore.at) == sql.line_of(statement.end)
    previous = [s for s in sql.statements if s.end <= ignore.at]
    if previous and sql.line_of(ignore.at) == sql.line_of(previous[-1].end):
        return False  # trails the statement before
    following = [s for s in sql.statements if s.start > ignore.at]
    return bool(following) and following[0] is statement


def _violation(sql: SqlFile, at: int, hit: Hit, ignored: str | None) -> Violation:
    line, column = sql.position(at)
    return Violation(str(sql.path), line, column, hit.rule, hit.message, hit.rewrite, ignored)
