"""Who is on call: shifts of an ``oncall.schedules`` entry, overrides applied.

Pure functions over the config model and ``zoneinfo``; no store. Shift boundaries are wall-clock
times in the schedule's timezone: the first shift starts at ``handoff`` on ``start`` and each
next one ``shift`` later on the wall clock (a 1w shift hands off every Monday 09:00 local, summer
or winter). A boundary that does not exist (spring forward: 02:30 on that Sunday) happens at the
first instant that exists after it (03:00 in America/New_York); one that exists twice (fall
back) happens at its first occurrence. Before ``start`` the rotation runs backwards, so every
instant has someone on call. Override times without an offset are local to the schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from zoneinfo import ZoneInfo

from golive.config.oncall import Schedule

__all__ = [
    "Shift",
    "boundary",
    "handoff_time",
    "index_at",
    "local_instant",
    "on_call",
    "overrides",
    "shifts",
    "wall",
]


@dataclass(frozen=True)
class Shift:
    """One stretch of time with one person on call (``override`` when an override put them there)."""

    person: str
    start: datetime
    end: datetime
    override: bool = False


def handoff_time(schedule: Schedule) -> time:
    """The local time of day of the handoff (``"monday 09:00"`` → 09:00)."""
    clock = schedule.handoff.split()[-1]
    hour, minute = clock.split(":")
    return time(int(hour), int(minute))


def local_instant(wall: datetime, zone: tzinfo) -> datetime:
    """The UTC instant of a naive local wall time: a missing time moves forward to the first
    instant that exists after it, a repeated one takes its first occurrence."""
    first = wall.replace(tzinfo=zone, fold=0)
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall:
        return first.astimezone(UTC)
    # In a gap fold=1 reads the wall time with the offset after the change, fold=0 with the one
    # before; the change happens between the two instants. Find it to the second.
    low = int(wall.replace(tzinfo=zone, fold=1).timestamp())
    high = int(first.timestamp())
    low, high = min(low, high), max(low, high)
    while low < high:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle + 1
    return datetime.fromtimestamp(low, UTC)


def _zone(schedule: Schedule) -> ZoneInfo:
    return ZoneInfo(schedule.timezone)


def _first_wall(schedule: Schedule) -> datetime:
    return datetime.combine(schedule.start, handoff_time(schedule))


def wall(schedule: Schedule, index: int) -> datetime:
    """The naive local wall time shift number ``index`` is planned to start at."""
    return _first_wall(schedule) + index * schedule.shift


def boundary(schedule: Schedule, index: int) -> datetime:
    """The UTC instant shift number ``index`` of the rotation starts (0 is the first one)."""
    return local_instant(wall(schedule, index), _zone(schedule))


def index_at(schedule: Schedule, at: datetime) -> int:
    """The number of the rotation shift that holds ``at`` (negative before ``start``)."""
    first = boundary(schedule, 0)
    index = (at - first) // schedule.shift
    # Offsets move boundaries by at most a few hours: step to the shift that holds ``at``.
    while at < boundary(schedule, index):
        index -= 1
    while at >= boundary(schedule, index + 1):
        index += 1
    return index


def _rotation_person(schedule: Schedule, index: int) -> str:
    return schedule.rotation[index % len(schedule.rotation)]


def _aware(value: datetime, zone: tzinfo) -> datetime:
    if value.tzinfo is None:
        return local_instant(value, zone)
    return value.astimezone(UTC)


def overrides(schedule: Schedule) -> list[Shift]:
    """The schedule's overrides as shifts in UTC, in time order."""
    zone = _zone(schedule)
    found = [
        Shift(o.person, _aware(o.from_, zone), _aware(o.to, zone), override=True)
        for o in schedule.overrides
    ]
    return sorted(found, key=lambda s: s.start)


def on_call(schedule: Schedule, at: datetime) -> str:
    """The person on call at ``at`` (timezone-aware), overrides applied."""
    at = at.astimezone(UTC)
    for override in overrides(schedule):
        if override.start <= at < override.end:
            return override.person
    return _rotation_person(schedule, index_at(schedule, at))


def _rotation_shifts(schedule: Schedule, start: datetime, end: datetime) -> list[Shift]:
    found: list[Shift] = []
    index = index_at(schedule, start)
    begin = boundary(schedule, index)
    while begin < end:
        finish = boundary(schedule, index + 1)
        if finish > begin:  # a boundary inside a spring-forward gap can make an empty shift
            found.append(Shift(_rotation_person(schedule, index), begin, finish))
        index, begin = index + 1, finish
    return found


def shifts(schedule: Schedule, start: datetime, end: datetime) -> list[Shift]:
    """The shifts that overlap ``[start, end)``, overrides cut in, clipped to the window.

    Consecutive pieces of one rotation shift around an override stay separate entries, so a
    calendar can show the override between them.
    """
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    pieces = _rotation_shifts(schedule, start, end)
    for override in overrides(schedule):
        if override.end <= start or override.start >= end:
            continue
        cut: list[Shift] = []
        for piece in pieces:
            if piece.end <= override.start or piece.start >= override.end:
                cut.append(piece)
                continue
            if piece.start < override.start:
                cut.append(Shift(piece.person, piece.start, override.start, piece.override))
            if piece.end > override.end:
                cut.append(Shift(piece.person, override.end, piece.end, piece.override))
        cut.append(override)
        pieces = sorted(cut, key=lambda s: s.start)
    return [
        Shift(p.person, max(p.start, start), min(p.end, end), p.override)
        for p in pieces
        if min(p.end, end) > max(p.start, start)
    ]
