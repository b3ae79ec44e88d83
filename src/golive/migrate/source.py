"""A migration file as PostgreSQL's own parser (pglast, libpg_query) sees it: statements with
where each starts, the ``-- golive: ignore RULE reason`` comments, and the statements that do
not parse, each kept with its place instead of failing the file.

Offsets are characters into the file's text (pglast reports them so); ``position`` turns one
into a 1-based line and column.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from pathlib import Path

from pglast import ast, parser

_IGNORE = re.compile(r"--\s*golive:\s*ignore\b[ \t]*([^\s]*)[ \t]*(.*)$")
_COMMENTS = frozenset({"SQL_COMMENT", "C_COMMENT"})


@dataclass(frozen=True)
class Statement:
    """One statement: its parse tree (None when it did not parse), its text and span."""

    node: ast.Node | None
    text: str
    start: int  # offset of its first token, past leading comments and blanks
    end: int  # offset just past its last character (the ';' excluded)
    error: str | None = None  # the parser's message when ``node`` is None
    error_at: int | None = None  # where the parser stopped, as a file offset
    base: int = 0  # the file offset of the text the parser saw: node locations count from it


@dataclass(frozen=True)
class Ignore:
    """An ``-- golive: ignore RULE[,RULE...] REASON`` comment."""

    rules: tuple[str, ...]
    reason: str
    at: int  # offset of the comment


@dataclass(frozen=True)
class SqlFile:
    """A parsed migration file."""

    path: Path
    text: str
    statements: tuple[Statement, ...]
    ignores: tuple[Ignore, ...]
    line_starts: tuple[int, ...]

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of a character offset."""
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def line_of(self, offset: int) -> int:
        return self.position(offset)[0]


def parse_file(path: Path, text: str) -> SqlFile:
    """Split and parse ``text``; a statement that does not parse is kept with its error."""
    starts = (0, *(i + 1 for i, ch in enumerate(text) if ch == "\n"))
    try:
        tokens = parser.scan(text)
    except parser.ParseError as exc:  # a lexical error (an unclosed quote): no statements to split
        at = _error_offset(exc, 0, len(text))
        start = len(text) - len(text.lstrip())
        whole = Statement(None, text, min(start, at), len(text), exc.args[0], at)
        return SqlFile(path, text, (whole,), (), starts)
    code = [(t.start, t.end + 1) for t in tokens if t.name not in _COMMENTS]
    ignores = tuple(
        _ignore(text[t.start : t.end + 1], t.start) for t in tokens if t.name == "SQL_COMMENT"
    )
    try:
        raw = parser.parse_sql(text)
    except parser.ParseError:
        statements = _one_by_one(text, tokens)
    else:
        token_starts = [s for s, _ in code]
        statements = tuple(_statement(text, r, code, token_starts) for r in raw)
    return SqlFile(path, text, statements, tuple(i for i in ignores if i), starts)


def _statement(
    text: str, raw: ast.RawStmt, code: list[tuple[int, int]], starts: list[int]
) -> Statement:
    begin = raw.stmt_location or 0
    end = begin + raw.stmt_len if raw.stmt_len else _end_of_code(text, begin, code)
    first = bisect_left(starts, begin)  # the first token at or after the statement's start
    start = starts[first] if first < len(starts) else begin
    return Statement(raw.stmt, text[start:end], start, end)


def _end_of_code(text: str, begin: int, code: list[tuple[int, int]]) -> int:
    ends = [e for s, e in code if s >= begin and text[s:e] != ";"]
    return ends[-1] if ends else len(text)


def _one_by_one(
    text: str, tokens: tuple[parser.Token, ...] | list[parser.Token]
) -> tuple[Statement, ...]:
    """Split at top-level semicolons (the scanner keeps ``$$`` bodies and strings whole) and
    parse each piece alone, so one bad statement does not hide the others."""
    pieces: list[tuple[int, int]] = []
    first: int | None = None
    last = 0
    for token in tokens:
        if token.name in _COMMENTS:
            continue
        if text[token.start : token.end + 1] == ";" and token.name == "ASCII_59":
            if first is not None:
                pieces.append((first, last))
            first = None
            continue
        if first is None:
            first = token.start
        last = token.end + 1
    if first is not None:
        pieces.append((first, last))
    found = []
    for start, end in pieces:
        piece = text[start:end]
        try:
            raw = parser.parse_sql(piece)
        except parser.ParseError as exc:
            at = _error_offset(exc, start, end)
            found.append(Statement(None, piece, start, end, exc.args[0], at))
            continue
        found.extend(Statement(r.stmt, piece, start, end, base=start) for r in raw)
    return tuple(found)


def _error_offset(exc: parser.ParseError, start: int, end: int) -> int:
    where = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
    return min(start + where, max(end - 1, start))


def _ignore(comment: str, at: int) -> Ignore | None:
    match = _IGNORE.match(comment.strip())
    if match is None:
        return None
    rules = tuple(r for r in match.group(1).split(",") if r)
    return Ignore(rules, match.group(2).strip(" \t-:—"), at)
