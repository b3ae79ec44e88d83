"""The timeline of an incident: every event, with its time and actor.

Later stages (deploys, rollbacks, restore drills) call ``append_to_open`` to tell every open
incident of a component what they did.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from golive.records.incidents import TimelineEntry
from golive.store import incidents as queries
from golive.store.store import Store


def append(
    store: Store,
    incident_id: int,
    kind: str,
    *,
    at: datetime,
    actor: str,
    message: str,
    data: dict[str, Any] | None = None,
) -> int:
    """Add one entry to an incident's timeline; return its id."""
    with store.writing("write to an incident's timeline") as connection:
        return queries.append(
            connection, incident_id, kind, at=at, actor=actor, message=message, data=data
        )


def append_to_open(
    store: Store,
    *,
    component: str | None = None,
    kind: str,
    at: datetime,
    actor: str,
    message: str,
    data: dict[str, Any] | None = None,
) -> list[int]:
    """Add an entry to every open incident of ``component`` (every open incident when None);
    return the incidents' ids."""
    with store.writing("write to the open incidents' timelines") as connection:
        found = queries.open_for_component(connection, component)
        for incident in found:
            queries.append(
                connection, incident.id, kind, at=at, actor=actor, message=message, data=data
            )
    return [incident.id for incident in found]


def read(store: Store, incident_id: int) -> list[TimelineEntry]:
    """An incident's timeline, oldest first."""
    with store.reading("read an incident's timeline") as connection:
        return queries.timeline(connection, incident_id)
