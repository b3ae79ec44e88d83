"""``oncall:``, ``incidents:`` and ``reports:`` (the incidents & on-call stage)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from golive.config.model import Model, Severity
from golive.config.source import Positions
from golive.config.units import Duration, Name
from golive.exceptions import Issue

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_REPEAT = 10  # an escalation that cycles more than this is a loop nobody answers
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
    repeat: int = Field(default=0, ge=0, le=MAX_REPEAT)

    @model_validator(mode="after")
    def _waits(self) -> EscalationPolicy:
        # a round that takes no time, repeated, pages everyone over and over at once
        if self.repeat and not any(step.wait for step in self.steps):
            raise ValueError(
                f"this policy loops: its steps wait 0s in all, so its {self.repeat} repeat(s) "
                "would page everyone again at once; give a step a wait"
            )
        return self


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


def check_oncall(oncall: OnCall, positions: Positions) -> list[Issue]:
    """What the schedules say that cannot be right, each at the value that says it."""
    issues: list[Issue] = []
    for i, schedule in enumerate(oncall.schedules):
        at = ("oncall", "schedules", i)
        day = schedule.handoff.split()[0].lower() if " " in schedule.handoff.strip() else None
        if day and WEEKDAYS[schedule.start.weekday()] != day:
            started = WEEKDAYS[schedule.start.weekday()]
            message = f"start {schedule.start} is a {started} but the handoff is on {day}s"
            issues.append(Issue(message, positions.value((*at, "start"))))
        if schedule.shift < timedelta(hours=1):
            issues.append(Issue("a shift lasts at least 1h", positions.value((*at, "shift"))))
        issues.extend(_override_issues(schedule, positions, at))
    return issues


def _override_issues(
    schedule: Schedule, positions: Positions, at: tuple[str | int, ...]
) -> list[Issue]:
    zone = ZoneInfo(schedule.timezone)

    def aware(value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=zone)

    issues: list[Issue] = []
    spans: list[tuple[datetime, datetime, int]] = []
    for j, override in enumerate(schedule.overrides):
        start, end = aware(override.from_), aware(override.to)
        if end <= start:
            where = positions.value((*at, "overrides", j, "to"))
            issues.append(Issue(f"override ends at {override.to} before it starts", where))
            continue
        for other_start, other_end, k in spans:
            if start < other_end and other_start < end:
                where = positions.value((*at, "overrides", j, "from"))
                message = (
                    f"override overlaps overrides[{k}] ({schedule.overrides[k].person} "
                    f"{schedule.overrides[k].from_:%Y-%m-%d %H:%M} → "
                    f"{schedule.overrides[k].to:%Y-%m-%d %H:%M}); "
                    "who is on call would be ambiguous"
                )
                issues.append(Issue(message, where))
                break
        spans.append((start, end, j))
    return issues
