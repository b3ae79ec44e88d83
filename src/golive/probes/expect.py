"""Expectations: CEL expressions over a probe's fields.

Expressions compile once, at config load, so a syntax error or an unknown field is a config error
with its file position. Evaluating one gives a verdict and the actual values of the fields it
used (``json.status`` reports the value at that path, not the whole body), so a failure reads
``status == 200`` → ``status = 503``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from golive.probes.celengine import compile_program

_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_PATH = re.compile(r"(?<![\w.])([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)*)(?!\w|\s*\()")
MAX_VALUE_CHARS = 200


class ExpressionError(ValueError):
    """An expression does not compile or names a field the subject does not expose."""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    values: dict[str, Any]
    error: str | None = None


@dataclass(frozen=True)
class Expectation:
    """One compiled expression and the field paths it reads."""

    source: str
    program: Any
    paths: tuple[str, ...]
    variables: tuple[str, ...] = ()

    def evaluate(self, fields: Mapping[str, Any]) -> Outcome:
        try:  # only the fields the expression reads: a large body or header map costs nothing
            result = self.program.execute({name: fields.get(name) for name in self.variables})
        except Exception as exc:  # CEL raises TypeError/RuntimeError/ValueError subclasses
            return Outcome(False, self._values(fields), f"cannot evaluate: {_first_line(exc)}")
        if not isinstance(result, bool):
            return Outcome(False, self._values(fields), f"expected true or false, got {result!r}")
        return Outcome(result, {} if result else self._values(fields))

    def _values(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        return {path: _shorten(_lookup(fields, path)) for path in self.paths}


def compile_expression(source: str, fields: Mapping[str, str]) -> Expectation:
    """Compile ``source``; every top-level identifier must be one of ``fields``."""
    try:
        program = compile_program(source)
    except (ValueError, RuntimeError, TypeError) as exc:
        raise ExpressionError(f"invalid expression {source!r}: {_first_line(exc)}") from exc
    for name in program.variables():
        if name not in fields:
            hint = difflib.get_close_matches(name, list(fields), n=1)
            suggestion = f"did you mean '{hint[0]}'?" if hint else f"known: {', '.join(fields)}"
            raise ExpressionError(f"unknown field '{name}' in {source!r}; {suggestion}")
    variables = tuple(program.variables())
    return Expectation(source, program, _paths(source, set(variables)), variables)


def _paths(source: str, variables: set[str]) -> tuple[str, ...]:
    """The dotted field paths an expression reads, in order of appearance."""
    blanked = _STRING.sub(lambda m: " " * len(m.group(0)), source)
    found: dict[str, None] = {}
    for match in _PATH.finditer(blanked):
        if match.group(1) in variables:
            found[match.group(1) + match.group(2)] = None
    for name in variables:  # e.g. headers["x"] has no dotted path; report the field itself
        if not any(path == name or path.startswith(name + ".") for path in found):
            found[name] = None
    return tuple(found)


def _lookup(fields: Mapping[str, Any], path: str) -> Any:
    value: Any = fields
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _shorten(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return value[:MAX_VALUE_CHARS] + f"… ({len(value)} chars)"
    if isinstance(value, dict | list) and len(repr(value)) > MAX_VALUE_CHARS:
        return f"{type(value).__name__} of {len(value)} items"
    return value


def _first_line(exc: BaseException) -> str:
    """The gist of a CEL error: its first sentence (CEL appends long advice)."""
    if isinstance(exc, KeyError):
        return f"no such key {exc}"
    text = str(exc).strip()
    if not text:
        return type(exc).__name__
    line = text.splitlines()[0]
    head, sep, _ = line.partition(". ")
    return head if sep and len(line) > 100 else line
