"""The daily and weekly operations reports: what happened in a period, read from the store.

``build_report`` gathers health and uptime per component (hour rollups), alerts, incidents
(MTTA/MTTR), notifications that failed and sign-offs about to expire; ``golive.incidents.
report_text`` renders it; ``send_due`` writes a due report to the outbox once per period.
"""

from __future__ import annotations

import importlib
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import datetime, timedelta
from statistics import fmean
from typing import Any

from golive.config import LoadedConfig
from golive.store.gate import latest_signoffs
from golive.store.history import check_states
from golive.store.reports import failed_notifications, hour_totals
from golive.store.store import Store
from golive.store.uptime import alert_transitions

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
EXPIRING_WITHIN = timedelta(days=14)  # sign-offs that stop counting this soon are listed
NO_COMPONENT = "(no component)"
_WORST = {"down": 2, "unknown": 1, "up": 0}


@dataclass(frozen=True)
class ComponentHealth:
    """A component now (its worst check) and over the period (runs that passed)."""

    name: str
    state: str
    checks: int
    runs: int
    failures: int

    @property
    def uptime(self) -> float | None:
        return (self.runs - self.failures) / self.runs if self.runs else None


@dataclass(frozen=True)
class AlertCount:
    name: str
    severity: str
    fired: int
    resolved: int


@dataclass(frozen=True)
class FailedNotification:
    channel: str
    title: str
    at: datetime
    error: str


@dataclass(frozen=True)
class ExpiringSignoff:
    item: str
    signed_by: str
    expires_at: datetime


@dataclass(frozen=True)
class Report:
    """One operations report over ``[start, end)``."""

    period: str  # daily | weekly
    project: str
    environment: str
    start: datetime
    end: datetime
    components: list[ComponentHealth]
    alerts: list[AlertCount]
    alert_mttr_seconds: float | None  # mean firing → resolved of episodes resolved in the period
    incidents: dict[str, Any] | None  # incident_stats, or None until incidents are recorded
    slos: list[dict[str, Any]] | None  # each SLO's status at the report's end; None: no slos:
    failed_notifications: int
    failures: list[FailedNotification] = field(default_factory=list)
    expiring: list[ExpiringSignoff] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for row, health in zip(data["components"], self.components, strict=True):
            row["uptime"] = health.uptime
        shown: dict[str, Any] = _jsonable(data)
        return shown


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def build_report(
    store: Store, loaded: LoadedConfig, period: str, *, start: datetime, end: datetime
) -> Report:
    """The ``period`` report of ``[start, end)`` from what the store recorded."""
    config = loaded.config
    totals = hour_totals(store, start=start, end=end)
    states = check_states(store)
    groups: dict[str, list[str]] = {c.name: [] for c in config.components}
    for check in config.checks:
        groups.setdefault(check.component or NO_COMPONENT, []).append(check.name)
    components = [
        ComponentHealth(
            name=name,
            state=max(
                (states[c].state if c in states else "unknown" for c in checks),
                key=lambda s: _WORST.get(s, 1),
                default="unknown",
            ),
            checks=len(checks),
            runs=sum(totals.get(c, (0, 0))[0] for c in checks),
            failures=sum(totals.get(c, (0, 0))[1] for c in checks),
        )
        for name, checks in groups.items()
    ]
    alerts, mttr = _alerts(store, start, end)
    count, rows = failed_notifications(store, since=start, until=end)
    redact = loaded.secrets.redact
    failures = [
        FailedNotification(r.channel, redact(r.title), r.created_at, redact(r.last_error or ""))
        for r in rows
    ]
    expiring = [
        ExpiringSignoff(s.item, s.signed_by, s.expires_at)
        for s in latest_signoffs(store, loaded.environment).values()
        if end <= s.expires_at < end + EXPIRING_WITHIN
    ]
    return Report(
        period=period,
        project=config.project,
        environment=loaded.environment,
        start=start,
        end=end,
        components=components,
        alerts=alerts,
        alert_mttr_seconds=mttr,
        incidents=incident_measures(store, since=start, until=end),
        slos=_slos(store, loaded, end),
        failed_notifications=count,
        failures=failures,
        expiring=sorted(expiring, key=lambda s: s.expires_at),
    )


def _slos(store: Store, loaded: LoadedConfig, end: datetime) -> list[dict[str, Any]] | None:
    """Each SLO as measured over its window ending at the report's end (``golive slo``'s
    read); None when the config has none."""
    slos = loaded.config.slos
    if not slos:
        return None
    from golive.slo.sli import Reader
    from golive.slo.status import evaluate

    reader = Reader.of(store)
    return [evaluate(slo, reader, end).as_json() for slo in slos]


def _alerts(store: Store, start: datetime, end: datetime) -> tuple[list[AlertCount], float | None]:
    counts: dict[tuple[str, str], list[int]] = {}
    durations: list[float] = []
    for t in alert_transitions(store, since=start, until=end):
        entry = counts.setdefault((t.name, t.severity), [0, 0])
        if t.transition == "firing":
            entry[0] += 1
        else:
            entry[1] += 1
            if t.started_at:
                began = datetime.fromisoformat(t.started_at)
                durations.append((t.at - began).total_seconds())
    found = [AlertCount(n, s, fired, resolved) for (n, s), (fired, resolved) in counts.items()]
    found.sort(key=lambda a: (-a.fired, a.name))
    return found, round(fmean(durations), 3) if durations else None


def incident_measures(store: Store, *, since: datetime, until: datetime) -> dict[str, Any] | None:
    """MTTA, MTTR and counts from ``golive.incidents.stats.incident_stats``; None (shown as
    "n/a until incidents are recorded") while that module is not part of this build."""
    try:
        stats = importlib.import_module("golive.incidents.stats")
    except ModuleNotFoundError:
        return None
    measured = stats.incident_stats(store, since=since, until=until)
    return asdict(measured) if is_dataclass(measured) and not isinstance(measured, type) else None
