"""A small YAML writer that keeps comments: mappings and lists of plain data, where any value
may be a ``Note`` carrying a comment after it and comment lines above it. Short mappings and
lists go on one line (flow style); strings are left plain when YAML reads them back unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

WIDTH = 100
COMMENT_COLUMN = 48


@dataclass(frozen=True)
class Note:
    value: Any
    after: str = ""  # a comment on the value's line
    above: tuple[str, ...] = ()  # comment lines before it


def _unwrap(value: Any) -> tuple[Any, str, tuple[str, ...]]:
    if isinstance(value, Note):
        return value.value, value.after, value.above
    return value, "", ()


def scalar(value: Any, *, flow: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if flow and " " in text:  # expressions and sentences read better quoted in a flow
        return json.dumps(text, ensure_ascii=False)
    probe = f"{{k: {text}}}" if flow else f"k: {text}"
    try:
        plain = text == text.strip() and " #" not in text and yaml.safe_load(probe) == {"k": text}
    except yaml.YAMLError:
        plain = False
    return text if plain and text else json.dumps(text, ensure_ascii=False)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, Mapping | list | tuple | Note)


def _flow(value: Any) -> str | None:
    """``value`` on one line, or None when it holds notes or nested collections of collections."""
    if isinstance(value, Note):
        return None
    if _is_scalar(value):
        return scalar(value, flow=True)
    if isinstance(value, Mapping):
        parts = []
        for key, item in value.items():
            inner = _flow(item)
            if inner is None:
                return None
            parts.append(f"{key}: {inner}")
        return "{" + ", ".join(parts) + "}"
    items = [_flow(item) for item in value]
    if any(i is None for i in items):
        return None
    return "[" + ", ".join(i for i in items if i is not None) + "]"


def _with_comment(line: str, comment: str, indent: str = "") -> str:
    """``line`` (to be written after ``indent``) with ``comment`` aligned on the column."""
    if not comment:
        return line
    return f"{line.ljust(COMMENT_COLUMN - 1 - len(indent))} # {comment}"


def _comments(lines: Sequence[str], indent: str) -> list[str]:
    return [f"{indent}# {line}".rstrip() for line in lines]


def _entry(prefix: str, indent: str, value: Any, after: str, nested_flow: bool) -> list[str]:
    """``prefix`` ("key:" or "-") followed by ``value``."""
    if _is_scalar(value):
        return [_with_comment(f"{prefix} {scalar(value)}", after, indent)]
    flow = _flow(value) if nested_flow else None
    if flow is not None and len(indent) + len(prefix) + 1 + len(flow) <= WIDTH:
        return [_with_comment(f"{prefix} {flow}", after, indent)]
    if isinstance(value, Mapping) and prefix == "-" and value:
        body = _mapping(value, indent + "  ")  # "- " takes the place of the first key's indent
        return [_with_comment("- " + body[0][len(indent) + 2 :], after, indent), *body[1:]]
    head = _with_comment(prefix, after, indent)
    if isinstance(value, Mapping):
        return [head, *_mapping(value, indent + "  ")] if value else [f"{prefix} {{}}"]
    return [head, *_sequence(value, indent + "  ")] if value else [f"{prefix} []"]


def _mapping(mapping: Mapping[str, Any], indent: str, *, flow: bool = True) -> list[str]:
    lines: list[str] = []
    for key, raw in mapping.items():
        value, after, above = _unwrap(raw)
        lines.extend(_comments(above, indent))
        records = isinstance(value, list | tuple) and any(
            isinstance(_unwrap(v)[0], Mapping) for v in value
        )
        entry = _entry(f"{key}:", indent, value, after, nested_flow=flow and not records)
        lines.append(indent + entry[0])
        lines.extend(entry[1:])
    return lines


def _sequence(items: Sequence[Any], indent: str) -> list[str]:
    lines: list[str] = []
    spaced = any(isinstance(i, Note) and i.above for i in items)
    for index, raw in enumerate(items):
        value, after, above = _unwrap(raw)
        if spaced and index:
            lines.append("")
        lines.extend(_comments(above, indent))
        block = isinstance(value, Mapping) and (above or not all(map(_is_scalar, value.values())))
        entry = _entry("-", indent, value, after, nested_flow=not block)
        lines.append(indent + entry[0])
        lines.extend(entry[1:])
    return lines


def dump(document: Mapping[str, Any], header: Sequence[str] = ()) -> str:
    """The document as YAML text, sections apart, ``header`` as comment lines on top."""
    out = _comments(header, "")
    for key, raw in document.items():
        value, _, _ = _unwrap(raw)
        block = _mapping({key: raw}, "", flow=False)
        if out and (not _is_scalar(value) or out[-1].startswith("#")):
            out.append("")
        out.extend(block)
    return "\n".join(out) + "\n"
