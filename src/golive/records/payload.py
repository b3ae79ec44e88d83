"""An alert-event payload as the notifier reads it: one typed value instead of dict keys.

``alert_events.payload`` is JSON written by the alerts engine (``golive.alerts.describe``); it is
read once, where the notifier takes it in, and everything after routes, holds and composes on the fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

ROUTE_FIELDS = ("severity", "component", "check", "rule", "fingerprint")
ROUTE_ALIASES = {"alert": "name", "name": "name"}


@dataclass(frozen=True)
class AlertPayload:
    """One alert as an event saw it (see the contract in ``golive.alerts.evaluate``)."""

    fingerprint: str
    name: str = ""
    rule: str | None = None
    check: str | None = None
    component: str | None = None
    severity: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)
    state: str = ""
    since: datetime | None = None  # when its current state began
    started_at: datetime | None = None  # when its episode began
    summary: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)  # target, error, failed, values
    runbook: str | None = None
    silenced_by: str | None = None  # silence:ID | maintenance:NAME
    inhibited_by: str | None = None  # the DOWN root cause
    affected: tuple[str, ...] = ()  # the checks this root cause holds back
    acknowledged_by: str | None = None
    reason: str | None = None  # unsilenced | uninhibited | removed

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, fingerprint: str | None = None) -> AlertPayload:
        """Read a stored payload; absent or mistyped keys take their defaults."""
        labels = data.get("labels")
        details = data.get("details")
        return cls(
            fingerprint=fingerprint or _text(data.get("fingerprint")) or "",
            name=_text(data.get("name")) or "",
            rule=_text(data.get("rule")),
            check=_text(data.get("check")),
            component=_text(data.get("component")),
            severity=_text(data.get("severity")) or "",
            labels={str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {},
            state=_text(data.get("state")) or "",
            since=parse_time(data.get("since")),
            started_at=parse_time(data.get("started_at")),
            summary=_text(data.get("summary")) or "",
            details=details if isinstance(details, dict) else {},
            runbook=_text(data.get("runbook")),
            silenced_by=_text(data.get("silenced_by")),
            inhibited_by=_text(data.get("inhibited_by")),
            affected=tuple(str(a) for a in data.get("affected") or ()),
            acknowledged_by=_text(data.get("acknowledged_by")),
            reason=_text(data.get("reason")),
        )

    @property
    def held(self) -> str | None:
        """Why nobody is told about this event now: ``silenced`` or ``inhibited``, else None."""
        if self.silenced_by:
            return "silenced"
        if self.inhibited_by:
            return "inhibited"
        return None

    @property
    def title(self) -> str:
        """How messages name the alert."""
        return self.name or self.check or "alert"

    def value_of(self, key: str) -> str | None:
        """A routing key: one of ``ROUTE_FIELDS``, ``alert`` / ``name``, or else a label."""
        if key in ROUTE_FIELDS or key in ROUTE_ALIASES:
            value = getattr(self, ROUTE_ALIASES.get(key, key))
            return None if value is None else str(value)
        return self.labels.get(key)


def parse_time(value: object) -> datetime | None:
    """A payload time (ISO text or datetime) as an aware datetime; None when absent or bad."""
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, str) and value:
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)
