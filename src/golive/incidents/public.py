"""What users see of incidents: the public ones with their status updates (investigating,
identified, monitoring, resolved), for ``/status`` and its Atom feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from golive.records.incidents import IncidentView, TimelineEntry
from golive.store import incidents as queries
from golive.store.store import Store


@dataclass(frozen=True)
class StatusUpdate:
    at: datetime
    status: str
    message: str


@dataclass(frozen=True)
class PublicIncident:
    """A public incident as users see it: no actors, no internal notes."""

    id: int
    title: str
    severity: str
    components: tuple[str, ...]
    opened_at: datetime
    resolved_at: datetime | None
    updates: tuple[StatusUpdate, ...]  # newest first

    @property
    def status(self) -> str:
        return self.updates[0].status if self.updates else "investigating"


def public_incidents(store: Store, *, since: datetime) -> list[PublicIncident]:
    """Public incidents still open, or resolved after ``since``; newest first."""
    with store.reading("read public incidents") as connection:
        found = [
            i
            for i in queries.list_incidents(connection, public_only=True, limit=200)
            if i.open or (i.resolved_at is not None and i.resolved_at >= since)
        ]
        return [_public(i, queries.timeline(connection, i.id)) for i in found]


def _public(incident: IncidentView, entries: list[TimelineEntry]) -> PublicIncident:
    updates = tuple(
        StatusUpdate(e.at, str(e.data.get("status", "")), e.message)
        for e in reversed(entries)
        if e.kind == "status_update"
    )
    components = incident.components or ((incident.component,) if incident.component else ())
    return PublicIncident(
        incident.id,
        incident.title,
        incident.severity,
        components,
        incident.opened_at,
        incident.resolved_at,
        updates,
    )
