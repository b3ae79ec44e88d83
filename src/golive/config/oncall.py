"""``oncall:``, ``incidents:`` and ``reports:`` (the incidents & on-call stage)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from golive.config.model import Model, Severity
from golive.config.units import Duration, Name

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CLOCK = re.compile(r"(?:(\w+)\s+)?([01]?\d|2[0-3]):([0-5]\d)")


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r} (expected e.g. Europe/Berlin)") from exc
    return value


def check_clock(value: str, *, weekday: bool) -> str:
    """``"08:00"`` or, when ``weekday``, ``"monday 08:00"``."""
    match = _CLOCK.fullmatch(value.strip())
    day = match.group(1) if match else None
    if not match or (day and (not weekday or day.lower() not in WEEKDAYS)):
        form = "WEEKDAY HH:MM such as monday 09:00" if weekday else "HH:MM such as 08:00"
        raise ValueError(f"expected {form}, got {value!r}")
    return value


class Person(Model):
    name: Name
    notify: list[str] = Field(default_factory=list)


class Override(Model):
    person: str
    from_: datetime = Field(alias="from")
    to: datetime


class Schedule(Model):
    name: Name
    timezone: str = "UTC"
    rotation: list[str] = Field(min_length=1)
    start: date
    shift: Duration = timedelta(weeks=1)
    handoff: str = "monday 09:00"
    overrides: list[Override] = Field(default_factory=list)

    _tz = field_validator("timezone")(classmethod(lambda cls, v: check_timezone(v)))
    _handoff = field_validator("handoff")(classmethod(lambda cls, v: check_clock(v, weekday=True)))


class EscalationStep(Model):
    notify: list[str] = Field(min_length=1)
    wait: Duration = timedelta(minutes=15)

    @field_validator("notify")
    @classmethod
    def _targets(cls, value: list[str]) -> list[str]:
        for target in value:
            kind, sep, name = target.partition(":")
            if not sep or kind not in ("schedule", "person", "channel") or not name:
                raise ValueError(
                    f"expected schedule:NAME, person:NAME or channel:NAME, got {target!r}"
                )
        return value


class EscalationPolicy(Model):
    name: Name
    steps: list[EscalationStep] = Field(min_length=1)
    repeat: int = Field(default=0, ge=0)


class OnCall(Model):
    people: list[Person] = Field(default_factory=list)
    schedules: list[Schedule] = Field(default_factory=list)
    escalation_policies: list[EscalationPolicy] = Field(default_factory=list)


class IncidentSeverity(Model):
    from_: Severity = Field(alias="from")
    respond_within: Duration


class Incidents(Model):
    open_on: list[Severity] = Field(default_factory=lambda: list[Severity](["critical"]))
    severities: dict[str, IncidentSeverity] = Field(default_factory=dict)


class Report(Model):
    at: str
    timezone: str = "UTC"
    to: list[str] = Field(min_length=1)

    _tz = field_validator("timezone")(classmethod(lambda cls, v: check_timezone(v)))


class DailyReport(Report):
    _at = field_validator("at")(classmethod(lambda cls, v: check_clock(v, weekday=False)))


class WeeklyReport(Report):
    _at = field_validator("at")(classmethod(lambda cls, v: check_clock(v, weekday=True)))


class Reports(Model):
    daily: DailyReport | None = None
    weekly: WeeklyReport | None = None
