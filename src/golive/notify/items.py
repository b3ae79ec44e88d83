"""What groups, digests and repeats share: events read once into typed values, one item per
alert, the one function that puts a message in the outbox, and the result each step returns.

A resolved alert is told only when the episode that it ends was notified (its firing went out
before): ``alerts.last_notified_at`` is later than the end of the alert's previous episode.
Resolved messages do not move ``last_notified_at``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from golive.notify.compose import Item, Message
from golive.records import AlertPayload, EventView
from golive.store import outbox
from golive.store.outbox import NewNotification


class Raced(Exception):
    """Another planner changed the rows first; this transaction is rolled back."""


@dataclass(frozen=True)
class Event:
    """One unrouted alert transition, its payload read."""

    id: int
    fingerprint: str
    at: datetime
    transition: str
    payload: AlertPayload

    @classmethod
    def read(cls, row: EventView) -> Event:
        payload = AlertPayload.from_json(row.payload, fingerprint=row.fingerprint)
        return cls(row.id, row.fingerprint, row.at, row.transition, payload)


@dataclass(frozen=True)
class PlanStats:
    """What one planning step did; ``plan`` adds the steps' results up."""

    events: int = 0  # unrouted events read
    skipped: Mapping[str, int] = field(default_factory=dict)  # reason -> events marked, not sent
    held: int = 0  # events still waiting (group_wait or a digest slot)
    messages: int = 0  # groups sent
    digests: int = 0
    repeats: int = 0
    notifications: int = 0  # outbox rows written
    escalations: int = 0  # events whose route names an escalation policy (on-call stage)
    raced: int = 0  # steps another planner did first
    errors: tuple[str, ...] = ()

    def __add__(self, other: PlanStats) -> PlanStats:
        skipped = dict(self.skipped)
        for reason, count in other.skipped.items():
            skipped[reason] = skipped.get(reason, 0) + count
        return PlanStats(
            events=self.events + other.events,
            skipped=skipped,
            held=self.held + other.held,
            messages=self.messages + other.messages,
            digests=self.digests + other.digests,
            repeats=self.repeats + other.repeats,
            notifications=self.notifications + other.notifications,
            escalations=self.escalations + other.escalations,
            raced=self.raced + other.raced,
            errors=self.errors + other.errors,
        )


def skipped(reason: str, count: int) -> PlanStats:
    """``count`` events marked routed without a message, for ``reason``."""
    return PlanStats(skipped={reason: count} if count else {})


def dedup_key(*parts: object) -> str:
    """The SHA-256 of the parts: equal inputs give the same key on every replay."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def event_marks(events: Iterable[Event]) -> list[str]:
    """What makes events unique beyond one store: fingerprint and time with the row id, so two
    stores (a second server, a recreated store) never hand a receiver the same dedup key."""
    return sorted(f"{e.fingerprint}@{e.at.isoformat()}#{e.id}" for e in events)


def enqueue(
    connection: Connection,
    message: Message,
    channels: Sequence[str],
    *,
    kind: str,
    key: str,
    group_key: str,
    now: datetime,
    **about: Any,
) -> int:
    """Write ``message`` for each channel under one dedup key; return the rows written (a
    replay writes none). ``about`` (route, events, alerts, ...) is kept with each row."""
    written = 0
    for channel in channels:
        notification = NewNotification(
            dedup_key=key,
            channel=channel,
            kind=kind,
            title=message.title,
            body=message.body,
            group_key=group_key,
            payload={"type": message.notify_type, **about},
        )
        written += outbox.enqueue(connection, notification, now)
    return written


@dataclass(frozen=True)
class Collected:
    """The items of a message, and how many resolved alerts were left out (never notified)."""

    items: list[Item]
    dropped: int

    @property
    def firing(self) -> list[str]:
        """Fingerprints of the items that fire (they count as notified once sent)."""
        return [i.payload.fingerprint for i in self.items if i.state != "resolved"]

    @property
    def fingerprints(self) -> list[str]:
        return [i.payload.fingerprint for i in self.items]


def collect(connection: Connection, events: Sequence[Event], *, whole_episodes: bool) -> Collected:
    """One item per alert, by its newest event.

    A resolved alert is kept when its episode was notified before; with ``whole_episodes`` (a
    digest) it is also kept when its firing is among ``events`` (it fired and resolved within
    the period). Otherwise it fired and resolved before anyone was told, and is dropped.
    """
    by_alert: dict[str, list[Event]] = {}
    for event in events:
        by_alert.setdefault(event.fingerprint, []).append(event)
    items: list[Item] = []
    dropped = 0
    for fingerprint, history in by_alert.items():
        last = history[-1]
        firings = [e for e in history if e.transition == "firing"]
        if last.transition == "firing":
            since = last.payload.since or firings[0].at
            items.append(Item(last.payload, "firing", since=since))
            continue
        if whole_episodes and firings:
            since = firings[0].payload.since or firings[0].at
            items.append(Item(last.payload, "resolved", since=since, ended=last.at))
            continue
        notified, started = episode(connection, fingerprint, last.id)
        if notified:
            started = started or last.payload.started_at
            items.append(Item(last.payload, "resolved", since=started, ended=last.at))
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
