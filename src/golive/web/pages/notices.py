"""Maintenance notices: the occurrences of the configured windows that are on now, coming in
the next days, or over in the last days (cron windows in UTC, as ``golive.alerts.holds``
evaluates them)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Literal

from cronsim import CronSim, CronSimError

from golive.config import ConfigBase
from golive.config.notify import Maintenance

UPCOMING = timedelta(days=7)
PAST = timedelta(days=14)
MAX_PAST = 20  # past notices shown, newest first
MAX_OCCURRENCES = 2_000  # cron occurrences looked at per window (a */1 cron stays cheap)
DEFAULT_MESSAGE = "Scheduled maintenance"
When = Literal["active", "upcoming", "past"]


@dataclass(frozen=True)
class Notice:
    """One occurrence of a maintenance window."""

    window: str
    message: str
    starts_at: datetime
    ends_at: datetime
    affects: tuple[str, ...]  # component (or check) names; empty: everything
    when: When

    @property
    def affects_text(self) -> str:
        return ", ".join(self.affects) if self.affects else "all services"


@dataclass(frozen=True)
class Notices:
    active: tuple[Notice, ...]
    upcoming: tuple[Notice, ...]  # the next occurrence of each window, soonest first
    past: tuple[Notice, ...]  # newest first


def notices(config: ConfigBase, now: datetime) -> Notices:
    """The notices at ``now``: windows on now, starting within ``UPCOMING``, over within
    ``PAST``."""
    active: list[Notice] = []
    upcoming: list[Notice] = []
    past: list[Notice] = []
    for window in config.maintenance:
        affects = _affects(config, window)
        shown = 0
        for start in _starts(window, now, reverse=True):
            end = start + window.duration
            if end <= now - PAST or shown >= MAX_PAST:
                break
            if end > now:
                active.append(_notice(window, start, affects, "active"))
            else:
                past.append(_notice(window, start, affects, "past"))
                shown += 1
        following = next(_starts(window, now, reverse=False), None)
        if following is not None and following <= now + UPCOMING:
            upcoming.append(_notice(window, following, affects, "upcoming"))
    past.sort(key=lambda n: n.ends_at, reverse=True)
    return Notices(
        active=tuple(sorted(active, key=lambda n: n.starts_at)),
        upcoming=tuple(sorted(upcoming, key=lambda n: n.starts_at)),
        past=tuple(past[:MAX_PAST]),
    )


def _notice(window: Maintenance, start: datetime, affects: tuple[str, ...], when: When) -> Notice:
    message = window.message or DEFAULT_MESSAGE
    return Notice(window.name, message, start, start + window.duration, affects, when)


def _starts(window: Maintenance, now: datetime, *, reverse: bool) -> Iterator[datetime]:
    """Starts of ``window`` at or before ``now`` newest first (``reverse``), else after
    ``now`` soonest first; at most ``MAX_OCCURRENCES``."""
    if window.start is not None:
        start = window.start if window.start.tzinfo else window.start.replace(tzinfo=UTC)
        if (start <= now) == reverse:
            yield start
        return
    assert window.cron is not None, "a validated window has cron or start"
    moment = now.astimezone(UTC).replace(microsecond=0)
    # CronSim yields times strictly after (before, in reverse) its start
    try:
        found = CronSim(
            window.cron, moment + timedelta(seconds=1) if reverse else moment, reverse=reverse
        )
        yield from islice(found, MAX_OCCURRENCES)
    except CronSimError:  # refused when the config was loaded; never fail a page on it
        return


def _affects(config: ConfigBase, window: Maintenance) -> tuple[str, ...]:
    names = list(window.components)
    for check in config.checks:
        if check.name in window.checks:
            label = check.component or check.name
            if label not in names:
                names.append(label)
    return tuple(names)
