"""Value types of the config language: durations, percentages, rates, budgets, names, links.

Each is an ``Annotated`` type whose validator accepts the written form ("250ms", "99.9%",
"200/s") and explains the expected form when it cannot.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


def parse_duration(value: Any) -> timedelta:
    """``"1h30m"`` → 90 minutes; a bare number counts seconds."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 250ms, 30s, 5m, 6h, 30d or 1w")
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    text = str(value).strip().replace(" ", "")
    parts = _DURATION_PART.findall(text)
    if not text or "".join(n + u for n, u in parts) != text:
        raise ValueError(
            f"expected a duration such as 250ms, 30s, 5m, 6h, 30d or 1w, got {value!r}"
        )
    return timedelta(seconds=sum(float(n) * _UNIT_SECONDS[u] for n, u in parts))


def parse_percent(value: Any) -> float:
    """``"99.9%"`` → 0.999; a number from 0 to 1 is taken as the fraction itself."""
    if isinstance(value, bool):
        raise ValueError("expected a percentage such as 99.9% or a fraction such as 0.999")
    if isinstance(value, int | float):
        if 0 <= value <= 1:
            return float(value)
        raise ValueError(f"a bare number must be a fraction from 0 to 1; write {value}% instead")
    text = str(value).strip()
    if text.endswith("%"):
        try:
            number = float(text[:-1])
        except ValueError:
            number = -1.0
        if 0 <= number <= 100:
            return number / 100
    raise ValueError(
        f"expected a percentage such as 99.9% or a fraction such as 0.999, got {value!r}"
    )


def parse_rate(value: Any) -> float:
    """``"200/s"`` or ``"600/m"`` → requests per second."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(s|m|h)\s*", str(value))
    if not match or float(match[1]) <= 0:
        raise ValueError(f"expected a rate such as 200/s, 600/m or 1000/h, got {value!r}")
    return float(match[1]) / _UNIT_SECONDS[match[2]]


_BUDGET_WINDOWS = {"s": 1.0, "m": 60.0, "h": 3600.0}
_BUDGET = re.compile(rf"\s*(\d+)\s*/\s*({'|'.join(_BUDGET_WINDOWS)})\s*")


def parse_budget(value: Any) -> tuple[int, float]:
    """``"600/m"`` → ``(600, 60.0)``: a whole number of requests per window of seconds."""
    match = _BUDGET.fullmatch(str(value))
    if not match or int(match[1]) < 1:
        raise ValueError(f"expected a budget such as 600/m, 10/s or 1000/h, got {value!r}")
    return int(match[1]), _BUDGET_WINDOWS[match[2]]


def format_budget(budget: tuple[int, float]) -> str:
    """``(600, 60.0)`` → ``"600/m"``: the written form of a parsed budget."""
    count, window = budget
    unit = next(u for u, seconds in _BUDGET_WINDOWS.items() if seconds == window)
    return f"{count}/{unit}"


def check_name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise ValueError(f"names are lowercase letters, digits and '-', got {value!r}")
    return value


_LINK_SCHEMES = ("http", "https")
_PATH_END = re.compile(r"[/?#]")


def link_problem(value: str) -> str | None:
    """Why ``value`` may not become an ``href`` (None when it may): only http(s) URLs and paths.

    Browsers drop tabs and newlines anywhere and control characters or spaces at the ends
    (``java\tscript:`` runs), so such a link is refused rather than cleaned.
    """
    expected = f"expected an http(s) URL or a relative path, got {value!r}"
    if not value or value != value.strip() or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return expected
    parts = urlsplit(value)
    if parts.scheme:
        return None if parts.scheme.lower() in _LINK_SCHEMES and parts.netloc else expected
    # no scheme as Python reads it; a colon before the first / ? # is one to a browser
    return expected if ":" in _PATH_END.split(value, maxsplit=1)[0] else None


def check_link(value: str) -> str:
    problem = link_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def check_cron(value: str) -> str:
    """A cron expression of five fields (minute hour day month weekday) that cronsim accepts."""
    if len(value.split()) != 5:
        raise ValueError(f"expected a cron expression of 5 fields, got {value!r}")
    try:
        CronSim(value, datetime(2000, 1, 1))
    except CronSimError as exc:
        raise ValueError(f"invalid cron expression {value!r}: {exc}") from None
    return value


def check_timezone(value: str) -> str:
    """An IANA time zone name such as Europe/Berlin."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"expected a time zone such as UTC or Europe/Berlin, got {value!r}"
        ) from None
    return value


def written(pattern: str, example: str, *, number: bool = False) -> dict[str, Any]:
    """The JSON Schema of a value written as text matching ``pattern`` (or as a bare number)."""
    schema: dict[str, Any] = {"type": ["string", "number"] if number else "string"}
    return {**schema, "pattern": pattern, "description": f"such as {example}"}


_NUMBER = r"\d+(\.\d+)?"
DURATION_SCHEMA = written(
    rf"^ *({_NUMBER} *(ms|s|m|h|d|w) *)+$", "250ms, 30s, 5m or 1h30m", number=True
)
PERCENT_SCHEMA = written(rf"^ *{_NUMBER} *% *$", "99.9% (or a fraction: 0.999)", number=True)
RATE_SCHEMA = written(rf"^ *{_NUMBER} */ *(s|m|h) *$", "200/s, 600/m or 1000/h", number=True)
BUDGET_SCHEMA = written(r"^ *\d+ */ *(s|m|h) *$", "600/m, 10/s or 1000/h")
NAME_SCHEMA = written(_NAME.pattern.join("^$"), "api-health (lowercase letters, digits, '-')")
CRON_SCHEMA = {"type": "string", "description": "five cron fields, such as 0 2 * * *"}
TIMEZONE_SCHEMA = {"type": "string", "description": "an IANA time zone, such as Europe/Berlin"}
LINK_SCHEMA = {"type": "string", "description": "an http(s) URL or a path relative to this file"}

Duration = Annotated[timedelta, BeforeValidator(parse_duration), WithJsonSchema(DURATION_SCHEMA)]
Percent = Annotated[float, BeforeValidator(parse_percent), WithJsonSchema(PERCENT_SCHEMA)]
Rate = Annotated[float, BeforeValidator(parse_rate), WithJsonSchema(RATE_SCHEMA)]
Budget = Annotated[tuple[int, float], BeforeValidator(parse_budget), WithJsonSchema(BUDGET_SCHEMA)]
Name = Annotated[str, AfterValidator(check_name), WithJsonSchema(NAME_SCHEMA)]
Link = Annotated[str, AfterValidator(check_link), WithJsonSchema(LINK_SCHEMA)]
Cron = Annotated[str, AfterValidator(check_cron), WithJsonSchema(CRON_SCHEMA)]
TimeZone = Annotated[str, AfterValidator(check_timezone), WithJsonSchema(TIMEZONE_SCHEMA)]
