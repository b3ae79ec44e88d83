"""Alerts as stored: alerts, silences, transitions, events and one evaluation's outcome."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

AlertState = Literal["pending", "firing", "resolved"]
TransitionKind = Literal["pending", "firing", "resolved"]
ACTIVE_STATES: tuple[AlertState, ...] = ("pending", "firing")
MATCHER_KEYS = ("check", "component", "alert", "labels")


@dataclass(frozen=True)
class AlertView:
    """One alert as stored in ``alerts``; ``state`` is pending, firing or resolved."""

    fingerprint: str
    name: str
    rule: str | None
    check: str | None
    component: str | None
    severity: str
    labels: dict[str, str] = field(default_factory=dict)
    state: AlertState = "pending"
    pending_since: datetime | None = None
    firing_since: datetime | None = None
    resolved_at: datetime | None = None
    summary: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    silenced_by: str | None = None
    inhibited_by: str | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    last_notified_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Pending or firing."""
        return self.state in ACTIVE_STATES

    @property
    def held(self) -> bool:
        """Silenced (by a silence or a maintenance window) or inhibited by a dependency."""
        return self.silenced_by is not None or self.inhibited_by is not None

    @property
    def since(self) -> datetime | None:
        """When the alert entered its current state."""
        return {
            "pending": self.pending_since,
            "firing": self.firing_since,
            "resolved": self.resolved_at,
        }[self.state]


@dataclass(frozen=True)
class SilenceView:
    """A silence: alerts matching every one of ``matchers`` are muted while it is active."""

    id: int
    matchers: dict[str, Any]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    reason: str
    created_at: datetime
    expired_at: datetime | None = None

    def is_active(self, now: datetime) -> bool:
        return self.expired_at is None and self.starts_at <= now < self.ends_at

    def status(self, now: datetime) -> Literal["active", "scheduled", "expired"]:
        if self.expired_at is not None or now >= self.ends_at:
            return "expired"
        return "active" if now >= self.starts_at else "scheduled"

    def matches(self, alert: AlertView) -> bool:
        """All matchers match; a silence without matchers matches nothing (never mute all)."""
        matchers = self.matchers
        if not any(matchers.get(key) for key in MATCHER_KEYS):
            return False
        if matchers.get("check") and matchers["check"] != alert.check:
            return False
        if matchers.get("component") and matchers["component"] != alert.component:
            return False
        if matchers.get("alert") and matchers["alert"] != alert.name:
            return False
        labels: Mapping[str, Any] = matchers.get("labels") or {}
        return all(alert.labels.get(str(k)) == str(v) for k, v in labels.items())


@dataclass(frozen=True)
class Transition:
    """A row to write to ``alert_events``: one alert entering pending, firing or resolved."""

    fingerprint: str
    transition: TransitionKind
    at: datetime
    payload: dict[str, Any]


@dataclass(frozen=True)
class EventView:
    """A stored ``alert_events`` row (an alert's history)."""

    id: int
    fingerprint: str
    at: datetime
    transition: str
    payload: dict[str, Any]
    routed_at: datetime | None = None


@dataclass(frozen=True)
class Evaluation:
    """What one evaluation decided: alerts to upsert and transitions to record.

    ``opened`` names the alerts that started a new episode (inactive → pending/firing); the
    store makes sure they start unacknowledged. ``problems`` are conditions
    that could not be evaluated (for the serve loop's log); they change no state by themselves.
    """

    at: datetime
    alerts: tuple[AlertView, ...] = ()
    events: tuple[Transition, ...] = ()
    opened: frozenset[str] = frozenset()
    problems: tuple[str, ...] = ()

    def apply(self, current: Mapping[str, AlertView]) -> dict[str, AlertView]:
        """The active alerts after this evaluation (the next call's ``current``)."""
        merged = dict(current)
        merged.update((alert.fingerprint, alert) for alert in self.alerts)
        return {key: alert for key, alert in merged.items() if alert.active}
