"""Schedule maths: handoffs in local time across the DST changes, overrides, calendars."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from golive.config.oncall import Schedule
from golive.incidents.schedule import Shift, boundary, local_instant, on_call, shifts

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def schedule(**fields: Any) -> Schedule:
    base: dict[str, Any] = {
        "name": "primary",
        "timezone": "America/New_York",
        "rotation": ["alice", "bob"],
        "start": "2026-10-26",
        "shift": "1w",
        "handoff": "monday 09:00",
    }
    return Schedule.model_validate(base | fields)


def test_weekly_handoff_stays_at_nine_local_across_the_november_change_in_new_york() -> None:
    weekly = schedule()
    assert boundary(weekly, 0) == utc(2026, 10, 26, 13)  # 09:00 EDT
    assert boundary(weekly, 1) == utc(2026, 11, 2, 14)  # 09:00 EST, one hour more than a week
    assert on_call(weekly, utc(2026, 11, 2, 13, 59)) == "alice"
    assert on_call(weekly, utc(2026, 11, 2, 14)) == "bob"


def test_weekly_handoff_stays_at_nine_local_across_the_march_change_in_new_york() -> None:
    weekly = schedule(start="2027-03-08")
    assert boundary(weekly, 1) == utc(2027, 3, 15, 13)  # 09:00 EDT after 2027-03-14
    assert boundary(weekly, 1) - boundary(weekly, 0) == timedelta(days=7, hours=-1)
    assert on_call(weekly, utc(2027, 3, 15, 12, 59)) == "alice"
    assert on_call(weekly, utc(2027, 3, 15, 13)) == "bob"


def test_a_missing_handoff_on_spring_forward_happens_when_the_clock_reaches_three() -> None:
    # 2027-03-14 02:30 does not exist in New York: the clocks jump from 02:00 EST to 03:00 EDT.
    daily = schedule(start="2027-03-13", shift="1d", handoff="02:30")
    assert boundary(daily, 0) == utc(2027, 3, 13, 7, 30)  # 02:30 EST
    assert boundary(daily, 1) == utc(2027, 3, 14, 7)  # 03:00 EDT, the first instant after
    assert boundary(daily, 2) == utc(2027, 3, 15, 6, 30)  # 02:30 EDT
    assert on_call(daily, utc(2027, 3, 14, 6, 59)) == "alice"
    assert on_call(daily, utc(2027, 3, 14, 7)) == "bob"


def test_a_repeated_handoff_on_fall_back_happens_at_its_first_occurrence_in_new_york() -> None:
    # 2026-11-01 01:30 happens twice in New York (EDT, then EST an hour later).
    daily = schedule(start="2026-10-31", shift="1d", handoff="01:30")
    assert boundary(daily, 1) == utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    assert boundary(daily, 2) == utc(2026, 11, 2, 6, 30)  # 01:30 EST, a 25-hour shift
    assert on_call(daily, utc(2026, 11, 1, 6, 45)) == "bob"  # 01:45 EST, the second 01:45


def test_a_missing_handoff_in_berlin_moves_to_three_on_the_march_sunday() -> None:
    daily = schedule(timezone="Europe/Berlin", start="2027-03-27", shift="1d", handoff="02:30")
    assert boundary(daily, 0) == utc(2027, 3, 27, 1, 30)  # 02:30 CET
    assert boundary(daily, 1) == utc(2027, 3, 28, 1)  # 03:00 CEST
    assert boundary(daily, 2) == utc(2027, 3, 29, 0, 30)  # 02:30 CEST


def test_a_repeated_handoff_in_berlin_takes_the_summer_time_occurrence_in_october() -> None:
    daily = schedule(timezone="Europe/Berlin", start="2026-10-24", shift="1d", handoff="02:30")
    assert boundary(daily, 1) == utc(2026, 10, 25, 0, 30)  # 02:30 CEST, the first one
    assert boundary(daily, 2) == utc(2026, 10, 26, 1, 30)  # 02:30 CET
    assert on_call(daily, utc(2026, 10, 25, 1, 15)) == "bob"  # 02:15 CET, the second 02:15


def test_weekly_handoff_in_berlin_is_monday_nine_local_on_both_sides_of_each_change() -> None:
    weekly = schedule(timezone="Europe/Berlin", start="2026-10-19")
    assert boundary(weekly, 0) == utc(2026, 10, 19, 7)  # 09:00 CEST
    assert boundary(weekly, 1) == utc(2026, 10, 26, 8)  # 09:00 CET
    spring = schedule(timezone="Europe/Berlin", start="2027-03-22")
    assert boundary(spring, 1) == utc(2027, 3, 29, 7)  # 09:00 CEST


def test_local_instant_is_the_plain_conversion_away_from_changes() -> None:
    assert local_instant(datetime(2026, 7, 1, 12), BERLIN) == utc(2026, 7, 1, 10)
    assert local_instant(datetime(2026, 1, 5, 9), NEW_YORK) == utc(2026, 1, 5, 14)


def test_an_override_replaces_the_rotation_for_its_local_time_range() -> None:
    weekly = schedule(
        overrides=[{"person": "carol", "from": "2026-12-24T00:00", "to": "2026-12-26T00:00"}]
    )
    assert on_call(weekly, utc(2026, 12, 24, 4, 59)) == "alice"  # 23:59 EST on the 23rd
    assert on_call(weekly, utc(2026, 12, 24, 5)) == "carol"
    assert on_call(weekly, utc(2026, 12, 26, 4, 59)) == "carol"
    assert on_call(weekly, utc(2026, 12, 26, 5)) == "alice"


def test_shifts_cut_an_override_into_the_rotation_shift_it_falls_in() -> None:
    weekly = schedule(
        overrides=[{"person": "carol", "from": "2026-12-24T00:00", "to": "2026-12-26T00:00"}]
    )
    found = shifts(weekly, utc(2026, 12, 21), utc(2027, 1, 5))
    assert found == [
        Shift("bob", utc(2026, 12, 21), utc(2026, 12, 21, 14)),
        Shift("alice", utc(2026, 12, 21, 14), utc(2026, 12, 24, 5)),
        Shift("carol", utc(2026, 12, 24, 5), utc(2026, 12, 26, 5), override=True),
        Shift("alice", utc(2026, 12, 26, 5), utc(2026, 12, 28, 14)),
        Shift("bob", utc(2026, 12, 28, 14), utc(2027, 1, 4, 14)),
        Shift("alice", utc(2027, 1, 4, 14), utc(2027, 1, 5)),
    ]


def test_an_override_across_the_november_change_lasts_its_wall_clock_plus_an_hour() -> None:
    weekly = schedule(
        overrides=[{"person": "carol", "from": "2026-10-31T12:00", "to": "2026-11-02T12:00"}]
    )
    (override,) = [s for s in shifts(weekly, utc(2026, 10, 26), utc(2026, 11, 9)) if s.override]
    assert override.end - override.start == timedelta(hours=49)


def test_an_override_with_an_offset_is_taken_as_written() -> None:
    weekly = schedule(
        overrides=[{"person": "carol", "from": "2026-12-24T00:00Z", "to": "2026-12-24T06:00Z"}]
    )
    assert on_call(weekly, utc(2026, 12, 24, 0)) == "carol"
    assert on_call(weekly, utc(2026, 12, 24, 6)) == "alice"


def test_before_the_start_the_rotation_runs_backwards() -> None:
    weekly = schedule()
    assert on_call(weekly, utc(2026, 10, 26, 12, 59)) == "bob"
    assert on_call(weekly, utc(2026, 10, 19, 12, 59)) == "alice"


def test_twelve_hour_shifts_hand_off_at_nine_and_twenty_one_local_over_spring_forward() -> None:
    halves = schedule(start="2027-03-13", shift="12h", handoff="09:00", rotation=["a", "b", "c"])
    found = shifts(halves, utc(2027, 3, 13, 14), utc(2027, 3, 15, 13))
    assert [(s.person, s.start.astimezone(NEW_YORK).hour) for s in found] == [
        ("a", 9),
        ("b", 21),
        ("c", 9),
        ("a", 21),
    ]
    assert found[1].end - found[1].start == timedelta(hours=11)  # the night that loses an hour


def test_the_calendar_of_a_year_is_contiguous_and_ordered() -> None:
    weekly = schedule(
        timezone="Europe/Berlin",
        overrides=[{"person": "carol", "from": "2027-03-27T00:00", "to": "2027-03-30T00:00"}],
    )
    found = shifts(weekly, utc(2026, 10, 1), utc(2027, 10, 1))
    assert found[0].start == utc(2026, 10, 1) and found[-1].end == utc(2027, 10, 1)
    assert all(a.end == b.start for a, b in itertools.pairwise(found))
    assert sum(s.override for s in found) == 1
