"""Environment variables a guide says production needs.

From code blocks (```bash, ```sh, ```env, ```dotenv or none) that are mostly ``NAME=value``
lines (at least two, and three in four of the lines that are not blank or comments: a script
that sets a few variables is not a list of them); from tables whose first column holds
``UPPER_CASE`` names under a variable/name/key header; and from ``NAME`` items nested under a
checklist line about environment variables. A variable is optional when a heading above it says
"optional" (or its table row says so). Values are never copied: they only hint at rules —
"32-character secret" → ``min_length``, ``DEBUG=False`` → ``forbid`` truthy values,
``NODE_ENV=production`` → ``forbid`` development values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from golive.guides.markdown import Block, Fence, Item, Path, Table
from golive.guides.model import EnvVar, Unused
from golive.guides.text import plain

ENV_FENCES = {"", "bash", "sh", "shell", "zsh", "env", "dotenv", "text", "ini", "properties"}
_ASSIGN = re.compile(r"^\s*(?:export\s+)?([A-Z][A-Z0-9_]*[A-Z0-9])=(.*)$")
_NAME = re.compile(r"^[A-Z][A-Z0-9_]*[A-Z0-9]$")
_LENGTH = re.compile(r"(\d+)[- ]?(?:char|chars|character|characters)\b", re.I)
_DEBUG = re.compile(r"(?:^|_)DEBUG$")
_FALSE = {"false", "0", "no", "off"}
_MODE = re.compile(r"^(?:NODE|RAILS|APP|FLASK|DJANGO|RACK)_ENV$|^ENVIRONMENT$")
_ENV_TOPIC = re.compile(r"\benv(?:ironment)?\b|\bvariables?\b|\bsecrets?\b", re.I)
_NAME_HEADER = re.compile(r"variable|\benv\b|name|key|setting", re.I)
_OPTIONAL = re.compile(r"\boptional\b", re.I)
_NO = {"no", "false", "optional", "❌", "-", "n"}


def _optional(path: Path) -> bool:
    return any(_OPTIONAL.search(h.text) for h in path)


def _hints(name: str, value: str) -> tuple[int | None, tuple[str, ...]]:
    length = _LENGTH.search(value)
    forbid: tuple[str, ...] = ()
    cleaned = value.strip().strip("'\"").lower()
    if _DEBUG.search(name) and cleaned in _FALSE:
        forbid = ("1", "true", "True")
    elif _MODE.match(name) and cleaned == "production":
        forbid = ("development", "dev", "test")
    return (int(length.group(1)) if length else None), forbid


def _fence(fence: Fence) -> list[EnvVar]:
    if fence.info not in ENV_FENCES:
        return []
    meaningful = [s for s in fence.body if s.strip() and not s.strip().startswith("#")]
    found = [(i, _ASSIGN.match(s)) for i, s in enumerate(fence.body)]
    assignments = [(i, m) for i, m in found if m]
    if len(assignments) < 2 or len(assignments) * 4 < len(meaningful) * 3:
        return []
    required = not _optional(fence.path)
    variables = []
    for index, match in assignments:
        min_length, forbid = _hints(match.group(1), match.group(2))
        variables.append(
            EnvVar(
                match.group(1),
                fence.line + 1 + index,
                required,
                f"code block at line {fence.line}",
                min_length,
                forbid,
            )
        )
    return variables


def _table(table: Table) -> list[EnvVar]:
    if not table.header or not _NAME_HEADER.search(table.header[0]):
        return []
    required_column = next((i for i, h in enumerate(table.header) if "required" in h.lower()), None)
    variables = []
    for line, cells in table.rows:
        name = cells[0].strip() if cells else ""
        if not _NAME.match(name):
            continue
        required = not _optional(table.path)
        if required_column is not None and len(cells) > required_column:
            required = cells[required_column].strip().lower() not in _NO
        min_length, forbid = _hints(name, " ".join(cells[1:]))
        block = f"table at line {table.line}"
        variables.append(EnvVar(name, line, required, block, min_length, forbid))
    return variables


def _listed(item: Item, unused: list[Unused]) -> list[EnvVar]:
    if not item.children or not _ENV_TOPIC.search(plain(item.text)):
        return []
    variables = []
    for child in item.children:
        name = plain(child.text)
        if _NAME.match(name):
            variables.append(EnvVar(name, child.line, True, f"list under line {item.line}"))
        elif name:
            reason = "not a variable name: add the variables it means to the env item"
            unused.append(Unused(child.line, name, reason))
    return variables


def env_vars(blocks: Iterable[Block], unused: list[Unused]) -> list[EnvVar]:
    """Each variable once, first mention first; required if any mention says so."""
    found: list[EnvVar] = []
    for block in blocks:
        if isinstance(block, Fence):
            found.extend(_fence(block))
        elif isinstance(block, Table):
            found.extend(_table(block))
        elif isinstance(block, Item):
            found.extend(_listed(block, unused))
    merged: dict[str, EnvVar] = {}
    for var in found:
        first = merged.get(var.name)
        if first is None:
            merged[var.name] = var
        elif var.required and not first.required:
            merged[var.name] = EnvVar(
                first.name, first.line, True, first.block, first.min_length, first.forbid
            )
    return list(merged.values())
