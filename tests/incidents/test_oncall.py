"""The on-call read model: now and next per schedule, calendars and their handoff notes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from golive.config.oncall import OnCall
from golive.incidents.oncall import calendar, handoff_note, now_and_next


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def oncall(*schedules: dict[str, Any]) -> OnCall:
    people = [{"name": n} for n in ("alice", "bob", "carol")]
    return OnCall.model_validate({"people": people, "schedules": list(schedules)})


PRIMARY = {
    "name": "primary",
    "timezone": "America/New_York",
    "rotation": ["alice", "bob"],
    "start": "2026-10-26",
    "overrides": [{"person": "carol", "from": "2026-12-24T00:00", "to": "2026-12-26T00:00"}],
}
NIGHTS = {
    "name": "nights",
    "timezone": "Europe/Berlin",
    "rotation": ["carol"],
    "start": "2027-03-27",
    "shift": "1d",
    "handoff": "02:30",
}


def test_now_and_next_follows_the_rotation_and_stops_at_an_override() -> None:
    (holder,) = now_and_next(oncall(PRIMARY), utc(2026, 12, 22))
    assert (holder.person, holder.override) == ("alice", False)
    assert holder.since == utc(2026, 12, 21, 14)
    assert holder.until == utc(2026, 12, 24, 5)
    assert (holder.next_person, holder.next_until) == ("carol", utc(2026, 12, 26, 5))


def test_a_one_person_rotation_has_nobody_next() -> None:
    (holder,) = now_and_next(oncall(NIGHTS), utc(2027, 3, 28, 12))
    assert holder.person == "carol" and holder.next_person is None


def test_now_and_next_takes_each_schedule_or_the_ones_named() -> None:
    config = oncall(PRIMARY, NIGHTS)
    assert [h.schedule for h in now_and_next(config, utc(2027, 1, 1))] == ["primary", "nights"]
    assert [h.schedule for h in now_and_next(config, utc(2027, 1, 1), ["nights"])] == ["nights"]


def test_the_calendar_notes_a_handoff_moved_by_spring_forward() -> None:
    schedule = oncall(NIGHTS).schedules[0]
    found = calendar(schedule, utc(2027, 3, 27, 1, 30), weeks=1)
    notes = [handoff_note(schedule, s) for s in found]
    assert notes[1] == "02:30 does not exist on 2027-03-28; handoff at 03:00"
    assert notes.count(None) == len(notes) - 1


def test_an_override_written_with_an_offset_beside_local_ones_is_measured_in_utc() -> None:
    mixed = dict(
        PRIMARY,
        overrides=[
            {"person": "carol", "from": "2026-12-24T00:00", "to": "2026-12-24T12:00"},
            {"person": "bob", "from": "2026-12-30T00:00Z", "to": "2027-01-02T00:00Z"},
        ],
    )
    (holder,) = now_and_next(oncall(mixed), utc(2026, 12, 31))
    # bob's own rotation week follows his override: one stretch until the 4th, 09:00 EST
    assert (holder.person, holder.override, holder.until) == ("bob", True, utc(2027, 1, 4, 14))
