"""The values the API takes, each as strict as its schema says: names, durations and times.

An optional one is left out, never sent as null (its validator runs only on a given value and
refuses None), so the schema needs no null and the fuzzer's nulls are refused as the schema says.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, StringConstraints, WithJsonSchema

from golive.config.units import parse_duration

NOT_BLANK = r"[^\s\x1c-\x1f]"  # some character str.strip() keeps
MAX_NAME = 200
Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME, pattern=NOT_BLANK)]
MAX_SILENCE = timedelta(days=3650)  # ten years: longer is refused (409)
DURATION_PATTERN = r"^([0-9]+(ms|s|m|h|d|w))+$"
DURATION_SCHEMA = {
    "type": "string",
    "pattern": DURATION_PATTERN,
    "description": "a golive duration: 250ms, 30s, 5m, 6h, 30d, 1w, or 1h30m",
    "examples": ["2h"],
}
RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def _duration(value: Any) -> timedelta:
    """A duration as the schema writes it; one longer than Python holds is the longest."""
    if not isinstance(value, str) or not re.fullmatch(DURATION_PATTERN, value):
        raise ValueError("expected a duration such as 250ms, 30s, 5m, 6h, 30d, 1w or 1h30m")
    try:
        return parse_duration(value)
    except OverflowError:
        return timedelta.max


def _timestamp(value: Any) -> datetime:
    """Only RFC 3339 text with an offset is a time (pydantic alone also takes numbers), in
    UTC; one beyond what Python holds in UTC (year 1 at +01:00) is the nearest it holds."""
    if not isinstance(value, str) or not RFC3339.fullmatch(value):
        raise ValueError("expected a time as RFC 3339 text with an offset: 2026-11-22T08:00:00Z")
    at = datetime.fromisoformat(value.upper())
    try:
        return at.astimezone(UTC)
    except OverflowError:
        return EARLIEST if at.year == datetime.min.year else LATEST


def _name(value: Any) -> str:
    if value is None:
        raise ValueError("leave the field out instead of sending null")
    if not isinstance(value, str):
        raise ValueError("expected a name (text)")
    if not 1 <= len(value) <= MAX_NAME or not re.search(NOT_BLANK, value):
        raise ValueError(f"expected 1 to {MAX_NAME} characters, not only spaces")
    return value


OptionalName = Annotated[
    str | None,
    BeforeValidator(_name),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": MAX_NAME, "pattern": NOT_BLANK}),
]
OptionalDuration = Annotated[
    timedelta | None, BeforeValidator(_duration), WithJsonSchema(DURATION_SCHEMA)
]
OptionalTimestamp = Annotated[
    datetime | None,
    BeforeValidator(_timestamp),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
