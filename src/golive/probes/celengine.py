"""The CEL engine (the ``common-expression-language`` package) and the functions it may call.

``FUNCTIONS`` is the catalog of every function an expression may call, native to the engine or
registered from the package's ``cel.stdlib`` (cel-go's strings and math extensions, and
``bool``), each with how it may be called (``x.f(...)`` or ``f(...)``) and with how many
arguments: expressions are checked against it when the config loads.

The package's ``__init__`` also imports its interactive shell (prompt_toolkit and friends:
~180 ms and ~30 MB per process) which golive never uses. An empty ``cel.cli`` placed in
``sys.modules`` first satisfies that import; the engine itself is untouched.
"""

from __future__ import annotations

import inspect
import sys
import threading
import types
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

if "cel" not in sys.modules:
    sys.modules.setdefault("cel.cli", types.ModuleType("cel.cli"))

import cel
from cel import stdlib

compile_program = cel.compile

Arity = tuple[int, float]  # fewest and most arguments, the receiver of x.f(...) not counted
# The macros the parser expands, and whether each is written as a method (x.all(v, ...)).
MACROS: Mapping[str, bool] = {"has": False, "all": True, "exists": True, "exists_one": True}
MACROS = {**MACROS, "map": True, "filter": True}
# Type names are identifiers of their own: `type(x) == int`.
TYPE_NAMES = frozenset(
    {"int", "uint", "double", "bool", "string", "bytes", "list", "map", "null_type", "type"}
)
# Unicode's White_Space property, which cel-go's trim strips (Python's str.strip() would also
# strip U+001C..U+001F, which cel-go keeps).
_WHITE_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)


@dataclass(frozen=True)
class Function:
    """One function expressions may call; ``impl`` is None when the engine has it natively."""

    name: str
    method: Arity | None  # as x.f(...): arguments besides x
    call: Arity | None  # as f(...)
    impl: Callable[..., Any] | None = None


def _trim(s: str) -> str:
    return s.strip(_WHITE_SPACE)


def _native() -> list[Function]:
    one, none = (1, 1), (0, 0)
    found = [Function("size", none, one)]
    found += [Function(n, one, None) for n in ("contains", "startsWith", "endsWith", "matches")]
    conversions = ("int", "uint", "double", "string", "bytes", "timestamp", "duration", "type")
    found += [Function(n, None, one) for n in (*conversions, "dyn")]
    parts = ("FullYear", "Month", "DayOfYear", "DayOfMonth", "Date", "DayOfWeek", "Hours")
    found += [Function(f"get{p}", none, None) for p in (*parts, "Minutes", "Seconds")]
    found += [Function("getMilliseconds", none, None)]
    found += [Function("hasValue", none, None), Function("value", none, None)]
    found += [Function("orValue", one, None), Function("or", one, None)]
    found += [Function("optional.of", None, one), Function("optional.none", None, none)]
    return [*found, Function("optional.ofNonZeroValue", None, one)]


def _registered(name: str, impl: Callable[..., Any]) -> Function:
    """A Python function works as x.f(...) and as f(...); a namespaced one only as ns.f(...)."""
    params = inspect.signature(impl).parameters.values()
    fewest = sum(1 for p in params if p.default is p.empty and p.kind != p.VAR_POSITIONAL)
    variadic = any(p.kind == p.VAR_POSITIONAL for p in params)
    most = float("inf") if variadic else len(params)
    fewest = max(fewest, 1) if variadic else fewest  # math.greatest() needs a value
    method = None if "." in name else (max(fewest - 1, 0), most - 1)
    return Function(name, method, (fewest, most), impl)


def _extensions() -> list[Function]:
    chosen = {**stdlib.EXTENSIONS["strings"], **stdlib.EXTENSIONS["math"], "trim": _trim}
    chosen["bool"] = stdlib.EXTENSIONS["core"]["bool"]  # a CEL conversion cel-rust lacks
    return [_registered(name, impl) for name, impl in chosen.items()]


FUNCTIONS: Mapping[str, Function] = {f.name: f for f in (*_native(), *_extensions())}
NAMESPACES = frozenset(name.split(".")[0] for name in FUNCTIONS if "." in name)


def implementations(names: Iterable[str]) -> dict[str, Callable[..., Any]]:
    """The Python functions an expression calling ``names`` needs in its context (often none:
    a small map per expression keeps evaluation as cheap as with the engine alone)."""
    return {n: f.impl for n in names if (f := FUNCTIONS.get(n)) is not None and f.impl}


class Runner:
    """Runs one compiled program. Its function context is built once, with only the functions
    it calls: per run only the variables change (a fresh context costs ~2 µs per function)."""

    def __init__(self, program: Any, functions: Mapping[str, Callable[..., Any]]) -> None:
        self._program = program
        self._context = cel.Context(functions=dict(functions)) if functions else None
        self._lock = threading.Lock()  # the context is shared: one evaluation at a time

    def __call__(self, variables: dict[str, Any]) -> Any:
        if self._context is None:
            return self._program.execute(variables)
        with self._lock:  # every run sets all the variables the program reads
            self._context.update(variables)
            return self._program.execute(self._context)


__all__ = [
    "FUNCTIONS",
    "MACROS",
    "NAMESPACES",
    "TYPE_NAMES",
    "Function",
    "Runner",
    "compile_program",
    "implementations",
]
