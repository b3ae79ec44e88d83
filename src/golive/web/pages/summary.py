"""What the status page, its feed and the badges show, computed from the runtime and cached.

- **Check state**: ``maintenance`` while a window covers it, else ``down`` when DOWN,
  ``degraded`` when UP but failing (not yet DOWN) or with an active alert, ``up``, or
  ``unknown`` without a verdict. **Component state**: the worst of its checks, in the order
  down > maintenance > degraded > up > unknown (``unknown`` without checks).
- **Uptime bars and incidents**: see ``golive.web.pages.days``.

Caching (per app, see ``Memo``): the day rollups and incident starts of the days before
yesterday are read once per UTC day; yesterday and today (with the open hour), and the
incident episodes of 30 days, once per minute; the live part (states, active alerts,
notices) at most every ``VIEW_TTL`` seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from golive.config import ConfigBase, LoadedConfig
from golive.incidents.public import PublicIncident, public_incidents
from golive.records import AlertView, CheckStatus
from golive.store import history
from golive.store.alerts import load_alerts
from golive.store.uptime import DayTotals
from golive.web.memo import Memo
from golive.web.pages.days import (
    DAYS,
    EPISODE_DAYS,
    INCIDENT_SEVERITIES,
    OTHER,
    Day,
    Incident,
    Recent,
    Span,
    component_bars,
    component_of,
    groups,
    read_recent,
    read_span,
)
from golive.web.pages.framework import RenderedPage
from golive.web.pages.notices import Notices, notices
from golive.web.runtime import Runtime

VIEW_TTL = 5.0  # seconds

State = Literal["down", "maintenance", "degraded", "up", "unknown"]
GLYPHS: dict[str, str] = {
    "up": "✓",
    "degraded": "!",
    "down": "✕",
    "maintenance": "◐",
    "unknown": "?",
}
RANK: dict[str, int] = {"unknown": 0, "up": 1, "degraded": 2, "maintenance": 3, "down": 4}
STATE_TEXT: dict[str, str] = {
    "up": "Operational",
    "degraded": "Degraded",
    "down": "Outage",
    "maintenance": "Maintenance",
    "unknown": "No data",
}


@dataclass(frozen=True)
class CheckLine:
    name: str
    description: str
    state: State


@dataclass(frozen=True)
class ComponentStatus:
    name: str
    description: str
    state: State
    checks: tuple[CheckLine, ...]
    days: tuple[Day, ...]  # DAYS of them, oldest first

    @property
    def uptime(self) -> float | None:
        """Over all shown days (runs-weighted)."""
        runs = sum(d.runs for d in self.days)
        return (runs - sum(d.failures for d in self.days)) / runs if runs else None


@dataclass(frozen=True)
class Overall:
    state: State
    text: str


@dataclass(frozen=True, eq=False)
class StatusView:
    """Everything the page shows at one moment."""

    title: str
    project: str
    now: datetime
    overall: Overall
    components: tuple[ComponentStatus, ...]
    active_incidents: tuple[Incident, ...]
    recent_incidents: tuple[Incident, ...]  # resolved within EPISODE_DAYS, newest first
    notices: Notices
    check_states: Mapping[str, State]
    declared: tuple[PublicIncident, ...] = ()  # public incidents (golive incident), newest first


@dataclass
class StatusData:
    """The cached reads of one app, shared by the page, the feed and the badges."""

    closed: Memo[Span] = field(default_factory=Memo)
    recent: Memo[Recent] = field(default_factory=Memo)
    bars: Memo[dict[str, tuple[Day, ...]]] = field(default_factory=Memo)
    view: Memo[StatusView] = field(default_factory=lambda: Memo(ttl=VIEW_TTL))
    page: Memo[RenderedPage] = field(default_factory=Memo)

    def days(self, now: datetime) -> tuple[date, ...]:
        today = now.astimezone(UTC).date()
        return tuple(today - timedelta(days=n) for n in range(DAYS - 1, -1, -1))

    def history(self, runtime: Runtime) -> tuple[Span, Recent]:
        now = runtime.clock.now()
        today = now.astimezone(UTC).date()
        first = today - timedelta(days=DAYS - 1)
        closed_last = today - timedelta(days=2)  # hour rollups of earlier days are final
        store, tick = runtime.store, runtime.clock.monotonic()
        closed = self.closed.get(
            (first, closed_last), lambda: read_span(store, first, closed_last), now=tick
        )
        live_first = closed.last + timedelta(days=1)
        minute = now.replace(second=0, microsecond=0)
        recent = self.recent.get(
            (minute, live_first),
            lambda: read_recent(store, live_first, now, unsaved_days(runtime)),
            now=tick,
        )
        return closed, recent

    def current(self, runtime: Runtime) -> StatusView:
        """The view at most ``VIEW_TTL`` seconds old (per configuration); may read the store."""
        return self.view.get(
            runtime.loaded, lambda: self._build(runtime), now=runtime.clock.monotonic()
        )

    async def acurrent(self, runtime: Runtime) -> StatusView:
        """``current`` for an async route (see ``Memo.aget``)."""
        return await self.view.aget(
            runtime.loaded, lambda: self._build(runtime), now=runtime.clock.monotonic()
        )

    def _build(self, runtime: Runtime) -> StatusView:
        loaded, now = runtime.loaded, runtime.clock.now()
        closed, recent = self.history(runtime)
        day_bars = self.bars.get(
            (closed, recent, loaded),
            lambda: component_bars(loaded.config, self.days(now), (closed, recent.live)),
            now=runtime.clock.monotonic(),
        )
        alerts = load_alerts(runtime.store)  # the active ones
        states = check_states(runtime, loaded, alerts.values())
        components = tuple(
            ComponentStatus(
                name=name,
                description=description,
                state=worst(states[c.name] for c in checks),
                checks=tuple(CheckLine(c.name, c.description, states[c.name]) for c in checks),
                days=day_bars[name],
            )
            for name, description, checks in groups(loaded.config)
        )
        active = _active_incidents(loaded.config, alerts.values())
        cutoff = now - timedelta(days=EPISODE_DAYS)
        resolved = [i for i in recent.episodes if i.resolved_at and i.resolved_at >= cutoff]
        return StatusView(
            title=loaded.config.server.status_page.title,
            project=loaded.config.project,
            now=now,
            overall=overall(components),
            components=components,
            active_incidents=active,
            recent_incidents=tuple(sorted(resolved, key=lambda i: i.started_at, reverse=True)),
            notices=notices(loaded.config, now),
            check_states=states,
            declared=tuple(public_incidents(runtime.store, since=cutoff)),
        )


def unsaved_days(runtime: Runtime) -> list[DayTotals]:
    """The open hour of each check not stored yet (since the last minute), as day totals."""
    return [
        DayTotals(b.check, b.start.date(), b.runs, b.failures)
        for b in runtime.unsaved_rollups("hour")
    ]


# -- states -----------------------------------------------------------------------------------


def check_states(
    runtime: Runtime, loaded: LoadedConfig, alerts: Iterable[AlertView]
) -> dict[str, State]:
    """The page state of every configured check (see the module docstring)."""
    names = [check.name for check in loaded.config.checks]
    live = runtime.statuses()
    statuses: dict[str, CheckStatus] = {n: live[n] for n in names if n in live}
    missing = [n for n in names if n not in statuses]
    if missing:
        statuses.update(history.check_states(runtime.store, missing))
    in_maintenance = runtime.maintenance()
    alerting = {alert.check for alert in alerts if alert.active and alert.check}
    return {
        name: state_of(statuses.get(name), name in in_maintenance, name in alerting)
        for name in names
    }


def state_of(status: CheckStatus | None, in_maintenance: bool, alerting: bool) -> State:
    if in_maintenance:
        return "maintenance"
    if status is not None and status.state == "down":
        return "down"
    if alerting or (status is not None and status.state == "up" and status.last_ok is False):
        return "degraded"
    if status is None or status.state == "unknown":
        return "unknown"
    return "up"


def worst(states: Iterable[State]) -> State:
    return max(states, key=RANK.__getitem__, default="unknown")


def overall(components: tuple[ComponentStatus, ...]) -> Overall:
    """The banner: a major outage when more than half of the components are down."""
    states = [c.state for c in components]
    down = states.count("down")
    if down and down * 2 > len(states):
        return Overall("down", "Major outage")
    if down:
        return Overall("down", "Partial outage")
    if "maintenance" in states:
        return Overall("maintenance", "Under maintenance")
    if "degraded" in states:
        return Overall("degraded", "Degraded performance")
    if "up" in states:
        return Overall("up", "All systems operational")
    return Overall("unknown", "No status yet")


def _active_incidents(config: ConfigBase, alerts: Iterable[AlertView]) -> tuple[Incident, ...]:
    """Firing critical and high alerts not held by maintenance."""
    owner = component_of(config)
    found = []
    for alert in alerts:
        if alert.state != "firing" or alert.severity not in INCIDENT_SEVERITIES:
            continue
        if (alert.silenced_by or "").startswith("maintenance:") or alert.firing_since is None:
            continue
        started = alert.pending_since or alert.firing_since
        found.append(
            Incident(
                id=f"{alert.fingerprint}@{started.isoformat()}",
                title=f"{alert.name} is down" if alert.rule is None else alert.name,
                component=owner.get(alert.check or "") or alert.component or OTHER,
                severity=alert.severity,
                started_at=alert.firing_since,
            )
        )
    return tuple(sorted(found, key=lambda i: i.started_at))
