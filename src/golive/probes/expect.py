"""Expectations: CEL expressions over a probe's fields.

Expressions compile once, at config load, so a syntax error, an unknown field or a function the
engine does not have (or one called the wrong way) is a config error with its file position.
Evaluating one gives a verdict and the actual values of the fields it used (``json.status``
reports the value at that path, not the whole body), so a failure reads ``status == 200`` →
``status = 503``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from golive.probes.celengine import (
    FUNCTIONS,
    MACROS,
    NAMESPACES,
    TYPE_NAMES,
    Runner,
    compile_program,
    implementations,
)
from golive.probes.celsource import Call, blank_strings, bound_names, calls

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
    functions: dict[str, Callable[..., Any]] = field(default_factory=dict, compare=False)
    _run: Runner = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_run", Runner(self.program, self.functions))

    def evaluate(self, fields: Mapping[str, Any]) -> Outcome:
        try:  # only the fields the expression reads: a large body or header map costs nothing
            result = self._run({name: fields.get(name) for name in self.variables})
        except Exception as exc:  # CEL raises TypeError/RuntimeError/ValueError subclasses
            return Outcome(False, self._values(fields), f"cannot evaluate: {_first_line(exc)}")
        if not isinstance(result, bool):
            return Outcome(False, self._values(fields), f"expected true or false, got {result!r}")
        return Outcome(result, {} if result else self._values(fields))

    def value(self, fields: Mapping[str, Any]) -> Any:
        """What the expression yields over ``fields`` (a capture); raises ``ValueError`` with
        the gist of the engine's error when it cannot be evaluated."""
        try:
            return self._run({name: fields.get(name) for name in self.variables})
        except Exception as exc:  # CEL raises TypeError/RuntimeError/ValueError subclasses
            raise ValueError(_first_line(exc)) from exc

    def _values(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        return {path: _shorten(_lookup(fields, path)) for path in self.paths}


def compile_expression(source: str, fields: Mapping[str, str]) -> Expectation:
    """Compile ``source``; every top-level identifier must be one of ``fields``, and every call
    one the engine can make (a known function, called as it may be, with as many arguments).

    Compiled once per source and field names: 2,000 checks expecting ``status == 200`` share
    one immutable ``Expectation`` (its runner is safe to share)."""
    return _compile(source, tuple(fields))


@lru_cache(maxsize=4096)
def _compile(source: str, fields: tuple[str, ...]) -> Expectation:
    try:
        program = compile_program(source)
    except (ValueError, RuntimeError, TypeError) as exc:
        raise ExpressionError(f"invalid expression {source!r}: {_first_line(exc)}") from exc
    made = calls(source, NAMESPACES, set(fields))
    for call in made:
        problem = _call_problem(call)
        if problem:
            raise ExpressionError(f"{problem[0]} in {source!r}; {problem[1]}")
    written = {c.name.rpartition(".")[2] for c in made}
    for name in program.functions():  # a call the text scan missed is still checked by name
        if name.isidentifier() and name not in written and name not in FUNCTIONS:
            what, advice = _unknown_function(name)
            raise ExpressionError(f"{what} in {source!r}; {advice}")
    namespaces = {c.name.split(".")[0] for c in made if "." in c.name}
    not_fields = bound_names(source) | TYPE_NAMES | namespaces
    variables = []
    for name in program.variables():
        if name in fields:
            variables.append(name)
        elif name not in not_fields:
            hint = difflib.get_close_matches(name, list(fields), n=1)
            suggestion = f"did you mean '{hint[0]}'?" if hint else f"known: {', '.join(fields)}"
            raise ExpressionError(f"unknown field '{name}' in {source!r}; {suggestion}")
    functions = implementations(c.name for c in made)
    return Expectation(source, program, _paths(source, set(variables)), tuple(variables), functions)


def _call_problem(call: Call) -> tuple[str, str] | None:
    """What is wrong with ``call`` and what to write instead, or None when the engine can make it."""
    if MACROS.get(call.name) == call.method:
        return None  # has(...), x.all(...) ... are expanded by the parser
    function = FUNCTIONS.get(call.name)
    if function is None:
        return _unknown_function(call.name)
    arity = function.method if call.method else function.call
    name = call.name
    if arity is None and call.method:
        return f"'{name}' is not a method", f"write {name}(x), not x.{name}()"
    if arity is None:
        return f"'{name}' is a method", f"write x.{name}(...), not {name}(x, ...)"
    fewest, most = arity
    if fewest <= call.args <= most:
        return None
    takes = f"{fewest}" if fewest == most else f"{fewest} to {most:g}"
    takes = f"at least {fewest}" if most == float("inf") else takes
    form = f"x.{name}(...)" if call.method else f"{name}(...)"
    return f"{form} with {call.args} argument(s)", f"it takes {takes}"


# What users of Python, JavaScript or other CEL engines may write, and golive's name for it.
_LIKELY = {"strip": "trim", "lower": "lowerAscii", "upper": "upperAscii", "len": "size"}
_LIKELY |= {"length": "size", "find": "indexOf", "toLowerCase": "lowerAscii", "str": "string"}
_LIKELY |= {"toUpperCase": "upperAscii", "float": "double", "max": "math.greatest"}
_LIKELY |= {"min": "math.least", "math.max": "math.greatest", "math.min": "math.least"}
_LIKELY |= {name: f"math.{name}" for name in ("abs", "ceil", "floor", "round", "sqrt")}


def _unknown_function(name: str) -> tuple[str, str]:
    hint = (
        [_LIKELY[name]]
        if name in _LIKELY
        else difflib.get_close_matches(name, list(FUNCTIONS), n=1)
    )
    if not hint:  # `greatest` for `math.greatest`
        hint = [n for n in FUNCTIONS if n.rpartition(".")[2] == name][:1]
    advice = f"did you mean '{hint[0]}'?" if hint else "see the functions in docs/probes.md"
    return f"unknown function '{name}'", advice


def _paths(source: str, variables: set[str]) -> tuple[str, ...]:
    """The dotted field paths an expression reads, in order of appearance."""
    blanked = blank_strings(source)
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
