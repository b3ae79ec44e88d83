"""Turning pydantic's validation errors into located, readable issues."""

from __future__ import annotations

import difflib
import types
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from golive.config.source import PathKey, Positions
from golive.exceptions import Issue


def translate(
    error: ValidationError,
    model: type[BaseModel],
    data: Any,
    positions: Positions,
    *,
    prefix: PathKey = (),
) -> list[Issue]:
    """One issue per pydantic error, placed at the key or value it concerns. ``model`` was
    validated against the part of ``data`` (the whole document) found at ``prefix``."""
    issues: dict[str, Issue] = {}
    for detail in error.errors(include_url=False):
        loc = _data_path((*prefix, *detail["loc"]), data)
        kind = detail["type"]
        if kind == "extra_forbidden":
            key = str(loc[-1])
            hint = _hint(model, loc[len(prefix) : -1], key)
            message = f"{_label(loc[:-1], data)}unknown key '{key}'{hint}"
            where = positions.key(loc)
        elif kind == "missing":
            key = str(detail["loc"][-1])
            parent = loc[:-1] if loc and loc[-1] == key else loc
            message = f"{_label(parent, data)}missing required key '{key}'"
            where = positions.value(parent)
        else:
            text = (
                str(detail["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
            )
            message = f"{_label(loc, data)}{text}"
            where = positions.value(loc)
        issues.setdefault(f"{where}{message}", Issue(message, where))
    return list(issues.values())


def _data_path(loc: tuple[int | str, ...], data: Any) -> PathKey:
    """The longest prefix of ``loc`` that exists in the data (drops union tags and the like)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]  # type: ignore[index]
        elif isinstance(node, dict) and isinstance(part, str):
            path.append(part)  # a key that is absent (missing) or unknown (extra) ends the path
            break
        else:
            break
        path.append(part)
    return tuple(path)


def _label(path: PathKey, data: Any) -> str:
    """``checks[api-health].http.url: `` — list items are named by their ``name`` when they have one."""
    parts: list[str] = []
    node = data
    for part in path:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and part < len(node) else None
            name = item.get("name") if isinstance(item, dict) else None
            parts[-1:] = [
                f"{parts[-1] if parts else ''}[{name if isinstance(name, str) else part}]"
            ]
            node = item
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return f"{'.'.join(parts)}: " if parts else ""


def _hint(model: type[BaseModel], path: PathKey, key: str) -> str:
    target = _model_at(model, path)
    if target is None:
        return ""
    names = [field.alias or name for name, field in target.model_fields.items()]
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return f" (expected one of: {', '.join(names)})"


def _model_at(model: type[BaseModel], path: PathKey) -> type[BaseModel] | None:
    current: Any = model
    for part in path:
        current = _unwrap(current)
        if isinstance(part, int):
            args = get_args(current)
            current = args[0] if args else None
        elif isinstance(current, type) and issubclass(current, BaseModel):
            field = next(
                (f for n, f in current.model_fields.items() if (f.alias or n) == part), None
            )
            current = field.annotation if field else None
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """``X | None`` → X (the first model-like member of a union)."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return members[0] if members else annotation
    return annotation
