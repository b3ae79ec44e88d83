"""The history behind the uptime bars and the incident lists: day totals and incident episodes
read from the store, and the bars of each component.

- **Uptime of a day** (UTC): 1 − failures/runs over the day's rollups (and, today, the open
  hour not stored yet), weighted by runs over a component's checks; a day without runs has no
  figure ("no data").
- **Incidents**: episodes of critical and high alerts, from the first "firing" transition not
  held by a maintenance window to the next "resolved" of the alert. A day's incidents are those
  that began that day.
- **Groups**: the declared components in config order, then components only checks name, then
  ``OTHER`` for checks without a component.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from golive.config import CheckBase, ConfigBase
from golive.store import Store
from golive.store.uptime import AlertTransition, DayTotals, alert_transitions, daily_totals
from golive.web.pages.framework import percent

DAYS = 90
EPISODE_DAYS = 30  # incidents listed on the page and in the feed
INCIDENT_SEVERITIES = ("critical", "high")
OTHER = "Other"  # the group of checks without a component


@dataclass(frozen=True)
class Incident:
    """One episode of a critical or high alert."""

    id: str  # fingerprint and start of the episode: stable across restarts
    title: str
    component: str
    severity: str
    started_at: datetime
    resolved_at: datetime | None = None


@dataclass(frozen=True)
class Day:
    """One bar: a UTC day of a component."""

    day: date
    runs: int
    failures: int
    incidents: tuple[str, ...] = ()  # titles of the incidents that began that day

    @cached_property
    def uptime(self) -> float | None:
        return (self.runs - self.failures) / self.runs if self.runs else None

    @cached_property
    def level(self) -> str:
        """The CSS class of the bar's colour."""
        uptime = self.uptime
        if uptime is None:
            return "u-none"
        for floor, name in ((0.99, "u-99"), (0.95, "u-95"), (0.90, "u-90")):
            if uptime >= floor:
                return name
        return "u-lt90"

    @cached_property  # computed once per minute (the bars are kept that long), shown twice
    def text(self) -> str:
        """``2 Nov 2026: 99.95% uptime, 1 incident: api-health is down`` or ``...: no data``."""
        when = f"{self.day.day} {self.day.strftime('%b %Y')}"
        figure = "no data" if self.uptime is None else f"{percent(self.uptime)} uptime"
        if not self.incidents:
            return f"{when}: {figure}, no incidents" if self.runs else f"{when}: {figure}"
        count = len(self.incidents)
        names = ", ".join(self.incidents)
        return f"{when}: {figure}, {count} incident{'s' if count > 1 else ''}: {names}"


@dataclass(frozen=True, eq=False)
class Span:
    """Day totals and incident starts of the days ``first``..``last``."""

    first: date
    last: date
    totals: tuple[DayTotals, ...]
    fired: Mapping[str, AlertTransition]  # episode id → its first unheld "firing"


@dataclass(frozen=True, eq=False)
class Recent:
    live: Span
    episodes: tuple[Incident, ...]  # of the last EPISODE_DAYS, oldest first


def groups(config: ConfigBase) -> list[tuple[str, str, list[CheckBase]]]:
    """``(component, description, checks)`` in config order: declared components, then
    components only checks name, then ``OTHER`` for checks without one."""
    declared = {c.name: c.description for c in config.components}
    members: dict[str, list[CheckBase]] = {name: [] for name in declared}
    for check in config.checks:
        members.setdefault(check.component or OTHER, []).append(check)
    if OTHER in members and OTHER not in declared:
        members[OTHER] = members.pop(OTHER)  # last
    return [(name, declared.get(name, ""), checks) for name, checks in members.items()]


def component_of(config: ConfigBase) -> dict[str, str]:
    return {check.name: check.component or OTHER for check in config.checks}


def _start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def read_span(store: Store, first: date, last: date) -> Span:
    start, end = _start(first), _start(last + timedelta(days=1))
    if end <= start:
        return Span(first, last, (), {})
    totals = daily_totals(store, start=start, end=end)
    firing = alert_transitions(
        store, since=start, until=end, transitions=("firing",), severities=INCIDENT_SEVERITIES
    )
    return Span(first, last, tuple(totals), _first_firings(firing))


def read_recent(
    store: Store, first: date, now: datetime, unsaved: Sequence[DayTotals] = ()
) -> Recent:
    """The days ``first``..today, with ``unsaved`` (the runs of the open hour) added to theirs."""
    start = _start(first)
    since = min(start, now - timedelta(days=EPISODE_DAYS))
    end = _start(now.astimezone(UTC).date() + timedelta(days=1))
    totals = [*daily_totals(store, start=start, end=end), *(t for t in unsaved if t.day >= first)]
    events = alert_transitions(store, since=since, severities=INCIDENT_SEVERITIES)
    live_firing = [e for e in events if e.transition == "firing" and e.at >= start]
    live = Span(first, now.astimezone(UTC).date(), tuple(totals), _first_firings(live_firing))
    return Recent(live, tuple(episodes(events)))


def episode_id(event: AlertTransition) -> str:
    return f"{event.fingerprint}@{event.started_at or event.at.isoformat()}"


def _held(event: AlertTransition) -> bool:
    return (event.silenced_by or "").startswith("maintenance:")


def _first_firings(events: Iterable[AlertTransition]) -> dict[str, AlertTransition]:
    found: dict[str, AlertTransition] = {}
    for event in events:
        if not _held(event):
            found.setdefault(episode_id(event), event)
    return found


def title(event: AlertTransition) -> str:
    return f"{event.name} is down" if event.rule is None else event.name


def episodes(events: Iterable[AlertTransition]) -> list[Incident]:
    """Incidents from "firing"/"resolved" transitions (oldest first): an episode opens at its
    first firing not held by maintenance and closes at the next "resolved" of its alert."""
    found: dict[str, Incident] = {}
    open_by_alert: dict[str, str] = {}
    for event in events:
        if event.transition == "firing" and not _held(event):
            key = episode_id(event)
            if key not in found:
                found[key] = Incident(
                    id=key,
                    title=title(event),
                    component=event.component or OTHER,
                    severity=event.severity,
                    started_at=event.at,
                )
                open_by_alert[event.fingerprint] = key
        elif event.transition == "resolved":
            key = open_by_alert.pop(event.fingerprint, "")
            if key in found:
                found[key] = replace(found[key], resolved_at=event.at)
    return list(found.values())


def component_bars(
    config: ConfigBase, days: tuple[date, ...], spans: Iterable[Span]
) -> dict[str, tuple[Day, ...]]:
    """Per component: one ``Day`` per day of ``days``."""
    index = {day: i for i, day in enumerate(days)}
    owner = component_of(config)
    names = [name for name, _, _ in groups(config)]
    runs = {name: [0] * len(days) for name in names}
    failures = {name: [0] * len(days) for name in names}
    incidents: dict[str, list[list[str]]] = {name: [[] for _ in days] for name in names}
    seen: set[str] = set()
    for span in spans:
        for total in span.totals:
            component, i = owner.get(total.check), index.get(total.day)
            if component is not None and i is not None:
                runs[component][i] += total.runs
                failures[component][i] += total.failures
        for key, event in span.fired.items():
            component = owner.get(event.check or "") or event.component
            i = index.get(event.at.astimezone(UTC).date())
            if key in seen or i is None or component not in incidents:
                continue
            seen.add(key)
            if title(event) not in incidents[component][i]:
                incidents[component][i].append(title(event))
    return {
        name: tuple(
            Day(day, runs[name][i], failures[name][i], tuple(incidents[name][i]))
            for i, day in enumerate(days)
        )
        for name in names
    }
