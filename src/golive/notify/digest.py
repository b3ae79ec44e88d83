"""Digest routes: their events wait, unrouted, until the scheduled time, then go out as one
message per channel listing every alert of the period.

The schedule is ``reports.daily.at`` / ``reports.weekly.at`` in the report's time zone when
configured, else daily 08:00 UTC and monday 08:00 UTC. A slot is one scheduled time; at the
first plan after it, every waiting event older than the slot is gathered. The dedup key is the
route, the slot and the events, so a replay writes nothing new and an event that arrives late
for a slot goes out in a small digest of its own instead of being lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from golive.config.oncall import WEEKDAYS, Reports
from golive.notify.compose import Context, digest_message
from golive.notify.items import (
    Event,
    PlanStats,
    Raced,
    collect,
    dedup_key,
    enqueue,
    event_marks,
    skipped,
)
from golive.notify.route import EffectiveRoute
from golive.store import outbox
from golive.store.store import Store


@dataclass(frozen=True)
class Schedule:
    """When a digest goes out: a wall-clock time in a zone, every day or on one weekday."""

    period: str  # daily | weekly
    at: time
    zone: ZoneInfo
    weekday: int | None = None  # 0 = monday, weekly only

    def last_slot(self, now: datetime) -> datetime:
        """The newest scheduled time at or before ``now``."""
        local = now.astimezone(self.zone).date()
        if self.weekday is not None:
            local -= timedelta(days=(local.weekday() - self.weekday) % 7)
        slot = self._at(local)
        while slot > now:
            local -= timedelta(days=7 if self.weekday is not None else 1)
            slot = self._at(local)
        return slot

    def previous(self, slot: datetime) -> datetime:
        """The scheduled time before ``slot``."""
        step = timedelta(days=7 if self.weekday is not None else 1)
        return self._at(slot.astimezone(self.zone).date() - step)

    def _at(self, day: date) -> datetime:
        return datetime.combine(day, self.at, tzinfo=self.zone)


def schedule_for(period: str, reports: Reports) -> Schedule:
    """The digest schedule of ``period`` (daily or weekly), from ``reports:`` or the default."""
    report = reports.daily if period == "daily" else reports.weekly
    text = report.at if report else ("08:00" if period == "daily" else "monday 08:00")
    zone = ZoneInfo(report.timezone if report else "UTC")
    day, _, clock = text.strip().rpartition(" ")
    hour, minute = (int(part) for part in clock.split(":"))
    weekday = WEEKDAYS.index(day.strip().lower()) if period == "weekly" and day else None
    if period == "weekly" and weekday is None:
        weekday = 0
    return Schedule(period, time(hour, minute), zone, weekday)


def flush_digest(
    store: Store,
    route: EffectiveRoute,
    events: Sequence[Event],
    reports: Reports,
    context: Context,
) -> PlanStats:
    """Send the digest of ``route`` if its slot has come; events newer than the slot wait."""
    assert route.digest is not None
    now = context.now
    schedule = schedule_for(route.digest, reports)
    slot = schedule.last_slot(now)
    due = [e for e in events if e.at < slot]
    held = PlanStats(held=len(events) - len(due))
    if not due:
        return held
    ids = [e.id for e in due]
    start = min(schedule.previous(slot), min(e.at for e in due))
    try:
        with store.writing("write a digest") as connection:
            if outbox.mark_routed(connection, ids, now) != len(ids):
                raise Raced
            collected = collect(connection, due, whole_episodes=True)
            dropped = skipped("resolved, never notified", collected.dropped)
            if not collected.items:
                return held + dropped
            message = digest_message(
                collected.items, context, period=route.digest, start=start, end=slot
            )
            written = enqueue(
                connection,
                message,
                route.to,
                kind="digest",
                key=dedup_key("digest", route.index, slot.isoformat(), *event_marks(due)),
                group_key=f"route{route.index + 1}:{route.digest}:{slot.isoformat()}",
                now=now,
                route=route.index,
                slot=slot.isoformat(),
                events=sorted(ids),
                alerts=collected.fingerprints,
            )
            outbox.set_notified(connection, collected.firing, now)
    except Raced:
        return held + PlanStats(raced=1)
    return held + dropped + PlanStats(digests=1, notifications=written)
