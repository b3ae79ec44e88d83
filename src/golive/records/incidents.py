"""Incidents as stored: the incident, its timeline entries, its escalation state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

IncidentState = Literal["triggered", "acknowledged", "mitigated", "resolved"]
INCIDENT_STATES: tuple[IncidentState, ...] = ("triggered", "acknowledged", "mitigated", "resolved")
PUBLIC_STATUSES = ("investigating", "identified", "monitoring", "resolved")


@dataclass(frozen=True)
class IncidentView:
    """One incident; ``respond_by`` is its response target (opened + the severity's
    ``respond_within``), ``breached_at`` when that passed without an acknowledgement."""

    id: int
    title: str
    severity: str
    state: IncidentState
    opened_at: datetime
    opened_by: str
    component: str | None = None
    components: tuple[str, ...] = ()
    public: bool = False
    group_key: str | None = None
    policy: str | None = None
    channels: tuple[str, ...] = ()
    respond_by: datetime | None = None
    breached_at: datetime | None = None
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.state != "resolved"

    @property
    def time_to_acknowledge(self) -> float | None:
        """Seconds from opening to the first acknowledgement."""
        if self.acknowledged_at is None:
            return None
        return (self.acknowledged_at - self.opened_at).total_seconds()

    @property
    def time_to_resolve(self) -> float | None:
        """Seconds from opening to resolution (the last one, after a reopen)."""
        if self.resolved_at is None:
            return None
        return (self.resolved_at - self.opened_at).total_seconds()


@dataclass(frozen=True)
class TimelineEntry:
    """One event of an incident: when, who, what (``kind``), a line, and its details."""

    id: int
    incident_id: int
    at: datetime
    kind: str
    actor: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EscalationState:
    """Where an incident's escalation stands: the next step to fire and when."""

    incident_id: int
    policy: str
    round: int
    step: int
    next_at: datetime
    stopped_at: datetime | None = None
    stop_reason: str | None = None
