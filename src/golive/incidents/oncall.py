"""The on-call read model: who is on call now and next per schedule, and a calendar.

One answer for ``golive oncall who``, the API and the dashboard. Pure over the config; the
schedule maths is in ``golive.incidents.schedule``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from golive.config.oncall import OnCall, Schedule
from golive.incidents.schedule import (
    Shift,
    boundary,
    index_at,
    local_instant,
    overrides,
    shifts,
    wall,
)

__all__ = [
    "CalendarDay",
    "OnCallNow",
    "calendar",
    "calendar_weeks",
    "handoff_note",
    "local",
    "now_and_next",
]


@dataclass(frozen=True)
class OnCallNow:
    """Who holds a schedule at an instant, since and until when, and who follows."""

    schedule: str
    timezone: str
    person: str
    override: bool
    since: datetime
    until: datetime
    next_person: str | None
    next_until: datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            "schedule": self.schedule,
            "timezone": self.timezone,
            "person": self.person,
            "override": self.override,
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "next": self.next_person,
            "next_until": self.next_until.isoformat() if self.next_until else None,
        }


def _merged(pieces: list[Shift]) -> list[Shift]:
    """Adjacent pieces with the same person are one stretch of being on call."""
    merged: list[Shift] = []
    for piece in pieces:
        last = merged[-1] if merged else None
        if last and last.person == piece.person and last.end == piece.start:
            merged[-1] = Shift(last.person, last.start, piece.end, last.override or piece.override)
        else:
            merged.append(piece)
    return merged


def _reach(schedule: Schedule) -> timedelta:
    """A window wide enough to see whole stretches around an instant (overrides included)."""
    longest = max((o.end - o.start for o in overrides(schedule)), default=timedelta(0))
    return schedule.shift * (len(schedule.rotation) + 2) + longest * (len(schedule.overrides) + 1)


def holder(schedule: Schedule, at: datetime) -> OnCallNow:
    """Who is on call on ``schedule`` at ``at``, with the stretch's edges and the next person."""
    reach = _reach(schedule)
    stretches = _merged(shifts(schedule, at - reach, at + reach))
    index = next(i for i, s in enumerate(stretches) if s.start <= at < s.end)
    current = stretches[index]
    following = stretches[index + 1] if index + 1 < len(stretches) else None
    return OnCallNow(
        schedule=schedule.name,
        timezone=schedule.timezone,
        person=current.person,
        override=current.override,
        since=current.start,
        until=current.end,
        next_person=following.person if following else None,
        next_until=following.end if following else None,
    )


def now_and_next(oncall: OnCall, at: datetime, names: list[str] | None = None) -> list[OnCallNow]:
    """``holder`` for each schedule (or the ``names`` given), in config order."""
    return [holder(s, at) for s in oncall.schedules if names is None or s.name in names]


def calendar(schedule: Schedule, start: datetime, weeks: int) -> list[Shift]:
    """The shifts of the ``weeks`` from ``start``, overrides marked."""
    return shifts(schedule, start, start + timedelta(weeks=weeks))


def local(schedule: Schedule, at: datetime) -> datetime:
    """``at`` on the schedule's wall clock."""
    return at.astimezone(ZoneInfo(schedule.timezone))


def handoff_note(schedule: Schedule, shift: Shift) -> str | None:
    """Why a rotation shift starts at another wall time than its handoff (a DST gap), if so."""
    if shift.override:
        return None
    index = index_at(schedule, shift.start)
    if boundary(schedule, index) != shift.start:
        return None  # clipped by the window or resumed after an override
    planned = wall(schedule, index)
    started = local(schedule, shift.start).replace(tzinfo=None)
    if started == planned:
        return None
    return f"{planned:%H:%M} does not exist on {planned:%Y-%m-%d}; handoff at {started:%H:%M}"


@dataclass(frozen=True)
class CalendarDay:
    """One local day of a schedule: who is on call during it, in order (overrides marked)."""

    day: date
    people: tuple[tuple[str, bool], ...]


def calendar_weeks(schedule: Schedule, at: datetime, weeks: int) -> list[list[CalendarDay]]:
    """Whole local weeks (Monday to Sunday) from the one holding ``at``, for a calendar grid."""
    zone = ZoneInfo(schedule.timezone)
    today = at.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    days = [monday + timedelta(days=n) for n in range(7 * weeks)]
    edges = [local_instant(datetime.combine(d, time()), zone) for d in [*days, days[-1]]]
    edges[-1] = local_instant(datetime.combine(days[-1] + timedelta(days=1), time()), zone)
    found = shifts(schedule, edges[0], edges[-1])
    grid: list[CalendarDay] = []
    for day, start, end in zip(days, edges, edges[1:], strict=False):
        people: list[tuple[str, bool]] = []
        for s in found:
            if s.start < end and s.end > start and (s.person, s.override) not in people:
                people.append((s.person, s.override))
        grid.append(CalendarDay(day, tuple(people)))
    return [grid[i : i + 7] for i in range(0, len(grid), 7)]
