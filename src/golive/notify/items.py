"""From routed events to message items: one item per alert, its latest state, when it began.

Shared by groups, digests and repeats. A resolved alert is told only when the episode that it
ends was notified (its firing went out before): ``alerts.last_notified_at`` is later than the
end of the alert's previous episode. Resolved messages do not move ``last_notified_at``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from golive.notify.compose import Item, parse_time
from golive.store import outbox
from golive.store.outbox import EventRow


class Raced(Exception):
    """Another planner changed the rows first; this transaction is rolled back."""


def dedup_key(*parts: object) -> str:
    """The SHA-256 of the parts: equal inputs give the same key on every replay."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def event_marks(events: Iterable[Any]) -> list[str]:
    """What makes events unique beyond one store: fingerprint and time with the row id, so two
    stores (a second server, a recreated store) never hand a receiver the same dedup key."""
    return sorted(f"{e.fingerprint}@{e.at.isoformat()}#{e.id}" for e in events)


@dataclass(frozen=True)
class Collected:
    """The items of a message, and how many resolved alerts were left out (never notified)."""

    items: list[Item]
    dropped: int

    @property
    def firing(self) -> list[str]:
        """Fingerprints of the items that fire (they count as notified once sent)."""
        return [str(i.payload["fingerprint"]) for i in self.items if i.state != "resolved"]


def collect(
    connection: Connection, events: Sequence[EventRow], *, whole_episodes: bool
) -> Collected:
    """One item per alert, by its newest event.

    A resolved alert is kept when its episode was notified before; with ``whole_episodes`` (a
    digest) it is also kept when its firing is among ``events`` (it fired and resolved within
    the period). Otherwise it fired and resolved before anyone was told, and is dropped.
    """
    by_alert: dict[str, list[EventRow]] = {}
    for event in events:
        by_alert.setdefault(event.fingerprint, []).append(event)
    items: list[Item] = []
    dropped = 0
    for fingerprint, history in by_alert.items():
        last = history[-1]
        payload = {**last.payload, "fingerprint": fingerprint}
        firings = [e for e in history if e.transition == "firing"]
        if last.transition == "firing":
            since = parse_time(last.payload.get("since")) or firings[0].at
            items.append(Item(payload, "firing", since=since))
            continue
        if whole_episodes and firings:
            since = parse_time(firings[0].payload.get("since")) or firings[0].at
            items.append(Item(payload, "resolved", since=since, ended=last.at))
            continue
        notified, started = episode(connection, fingerprint, last.id)
        if notified:
            started = started or parse_time(last.payload.get("started_at"))
            items.append(Item(payload, "resolved", since=started, ended=last.at))
        else:
            dropped += 1
    return Collected(items, dropped)


def episode(
    connection: Connection, fingerprint: str, resolved_id: int
) -> tuple[bool, datetime | None]:
    """Whether the episode that event ``resolved_id`` ends was notified, and when it began."""
    found = outbox.alerts(connection, [fingerprint]).get(fingerprint)
    previous_end = outbox.event_time(connection, fingerprint, "resolved", before_id=resolved_id)
    started = outbox.event_time(
        connection, fingerprint, "firing", before_id=resolved_id, after=previous_end, newest=False
    )
    if found is None or found.last_notified_at is None:
        return False, started
    notified = previous_end is None or found.last_notified_at > previous_end
    return notified, started
