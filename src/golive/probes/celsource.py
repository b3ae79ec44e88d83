"""What an expression's text says that its compiled program does not: each call's form
(``x.f(...)``, ``f(...)`` or ``ns.f(...)``) and argument count, and the names macros bind."""

from __future__ import annotations

import re
from dataclasses import dataclass

_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_CALL = re.compile(r"([A-Za-z_]\w*)\s*\(")
_RECEIVER_NAME = re.compile(r"(?<![\w.)\]])([A-Za-z_]\w*)\s*\.\s*$")
_BOUND = re.compile(r"\.\s*(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_]\w*)\s*,")
_OPEN, _CLOSE = "([{", ")]}"


@dataclass(frozen=True)
class Call:
    """``name`` is as written (``math.greatest``); ``method`` for ``x.f(...)``; ``args`` does
    not count the receiver."""

    name: str
    method: bool
    args: int


def blank_strings(source: str) -> str:
    """``source`` with every string literal replaced by ``#`` (positions kept): no name, call,
    comma or bracket inside a string is taken for code, and ``f("")`` still has an argument."""
    return _STRING.sub(lambda m: "#" * len(m.group(0)), source)


def bound_names(source: str) -> set[str]:
    """The names comprehension macros bind: ``x`` in ``items.all(x, x > 0)``."""
    return set(_BOUND.findall(blank_strings(source)))


def calls(source: str, namespaces: frozenset[str], fields: set[str]) -> list[Call]:
    """Every call in ``source``. ``ns.f(...)`` is a namespaced call when ``ns`` is one of
    ``namespaces`` and not a field (``math.greatest(1, 2)``); otherwise ``.f(`` is a method."""
    text = blank_strings(source)
    found = []
    for match in _CALL.finditer(text):
        before = text[: match.start()].rstrip()
        name, method = match.group(1), before.endswith(".")
        if method:
            receiver = _RECEIVER_NAME.search(before)
            if receiver and receiver.group(1) in namespaces and receiver.group(1) not in fields:
                name, method = f"{receiver.group(1)}.{name}", False
        found.append(Call(name, method, _count_args(text, match.end())))
    return found


def _count_args(text: str, start: int) -> int:
    """The number of arguments of the call whose ``(`` ends just before ``start``."""
    depth, commas, empty = 0, 0, True
    for char in text[start:]:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            if depth == 0:
                break
            depth -= 1
        elif char == "," and depth == 0:
            commas += 1
        if not char.isspace():
            empty = False
    return 0 if empty else commas + 1
