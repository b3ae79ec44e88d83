"""The schema as a list of keys: every key a config file may hold, with its type and default.

``schema_keys(model)`` walks a config model depth first, in declaration order, and yields one
``SchemaKey`` per key. Its dotted path reads like the file: ``checks[].http.url`` (``[]`` is an
item of a list), ``incidents.severities.<name>.from`` (``<name>`` is a key the user chooses).
Keys are named as they are written in YAML, so a field with an alias (``for``, ``with``,
``class``, ``from``, ``json``) appears under its alias. The docs tests use it to prove that every
key is documented; ``golive validate --explain`` can use it to describe one.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import AfterValidator, BaseModel, BeforeValidator
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from golive.config.units import (
    check_name,
    format_budget,
    parse_budget,
    parse_duration,
    parse_percent,
    parse_rate,
)

LIST_ITEM = "[]"
MAP_ENTRY = "<name>"
REQUIRED = "required"
NO_DEFAULT = "—"

_VALUE_TYPES: dict[Callable[..., Any], str] = {
    parse_duration: "duration",
    parse_percent: "percentage",
    parse_rate: "rate",
    parse_budget: "budget",
    check_name: "name",
}
_PLAIN_TYPES: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    Any: "any",
    datetime: "date-time",
    date: "date",
    timedelta: "duration",
}
_DURATION_UNITS = (("w", 604800.0), ("d", 86400.0), ("h", 3600.0), ("m", 60.0), ("s", 1.0))


@dataclass(frozen=True)
class SchemaKey:
    """One key of the schema, where it sits, and the pydantic field behind it."""

    path: str
    parent: str
    key: str
    field: FieldInfo

    @property
    def required(self) -> bool:
        return self.field.is_required()

    @property
    def default(self) -> Any:
        """The value used when the key is left out (``PydanticUndefined`` when required)."""
        if self.field.default_factory is not None:
            return self.field.get_default(call_default_factory=True, validated_data={})
        return self.field.default

    @property
    def annotation(self) -> Any:
        """The field's type with its validators, to validate a value written for this key."""
        if self.field.metadata:
            return Annotated[(self.field.annotation, *self.field.metadata)]
        return self.field.annotation

    def type_text(self) -> str:
        """``duration``, ``list of string``, ``one of canary, blue-green`` ..."""
        return describe_type(self.annotation)

    def default_text(self) -> str:
        """The default as it would be written in YAML; ``required`` or ``—`` when there is none."""
        if self.required:
            return REQUIRED
        return format_value(self.default, self.annotation)


def schema_keys(model: type[BaseModel], parent: str = "") -> Iterator[SchemaKey]:
    """Every key of ``model`` and of the models under it, depth first."""
    for name, field in model.model_fields.items():
        key = field.alias or name
        path = f"{parent}.{key}" if parent else key
        yield SchemaKey(path, parent, key, field)
        for suffix, child in _models_in(field.annotation):
            yield from schema_keys(child, path + suffix)


def _models_in(annotation: Any) -> Iterator[tuple[str, type[BaseModel]]]:
    """The models a value of this type may hold, with the path suffix that reaches them."""
    origin, args = get_origin(annotation), get_args(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield "", annotation
    elif origin is Annotated:
        yield from _models_in(args[0])
    elif origin in (Union, types.UnionType):
        for arg in args:
            yield from _models_in(arg)
    elif origin in (list, tuple, set, frozenset) and args:
        for suffix, model in _models_in(args[0]):
            yield LIST_ITEM + suffix, model
    elif origin is dict and len(args) == 2:
        for suffix, model in _models_in(args[1]):
            yield f".{MAP_ENTRY}{suffix}", model


def _value_type(metadata: Any) -> str | None:
    for item in metadata:
        if isinstance(item, BeforeValidator | AfterValidator) and item.func in _VALUE_TYPES:
            return _VALUE_TYPES[item.func]
    return None


def describe_type(annotation: Any) -> str:
    """A short, plain-words description of a type annotation."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _value_type(annotation.__metadata__) or describe_type(args[0])
    if origin in (Union, types.UnionType):
        members = [describe_type(a) for a in args if a is not type(None)]
        return " or ".join(dict.fromkeys(members))
    if origin is Literal:
        return "one of " + ", ".join(str(a) for a in args) if len(args) > 1 else str(args[0])
    if origin in (list, tuple, set, frozenset):
        return f"list of {describe_type(args[0])}" if args else "list"
    if origin is dict:
        return f"map of {describe_type(args[0])} to {describe_type(args[1])}" if args else "map"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    return _PLAIN_TYPES.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _kind_of(annotation: Any) -> str | None:
    """``duration``, ``percentage``, ``rate`` or ``name`` when the type is one of those."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _value_type(annotation.__metadata__) or _kind_of(args[0])
    if origin in (Union, types.UnionType):
        kinds = {_kind_of(a) for a in args if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    return "duration" if annotation is timedelta else None


def format_duration(value: timedelta) -> str:
    """``timedelta(seconds=90)`` → ``90s``; ``timedelta(hours=4)`` → ``4h``."""
    seconds = value.total_seconds()
    if seconds == 0:
        return "0s"
    for unit, size in _DURATION_UNITS:
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds * 1000:g}ms"


def format_value(value: Any, annotation: Any = None) -> str:
    """``value`` as a YAML user would write it for a key of type ``annotation``."""
    if value is None or value is PydanticUndefined:
        return NO_DEFAULT
    kind = _kind_of(annotation)
    if isinstance(value, timedelta):
        return format_duration(value)
    if kind == "percentage" and isinstance(value, float):
        return f"{value * 100:g}%"
    if kind == "rate" and isinstance(value, float):
        return f"{value:g}/s"
    if kind == "budget" and isinstance(value, tuple):
        return format_budget(value)
    if isinstance(value, BaseModel):
        return "{}"  # every key of the mapping at its own default
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value else '""'
    if isinstance(value, list | dict):
        return str(yaml.safe_dump(value, default_flow_style=True, width=1000)).strip()
    return str(value)
