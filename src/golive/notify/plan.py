"""Planning: from unrouted alert events to rows in the outbox.

``plan`` reads every unrouted event (oldest first) and, one transaction per step:

1. marks routed, sending nothing, the events nobody is told about: pending, silenced,
   inhibited (their root cause is told instead), unknown transitions, no matching route, or a
   route with only an escalation policy (paging arrives with the on-call stage);
2. groups the others of each non-digest route by the route's ``group_by`` values; a group whose
   oldest event is ``group_wait`` old becomes one message per channel, its events are marked
   routed and its firing alerts get ``last_notified_at`` — all in one transaction, the rows
   keyed by the SHA-256 of the event ids, so a replay inserts nothing new. Younger groups stay
   unrouted: durable across restarts;
3. sends each digest route's digest once its slot has come (``digest``);
4. writes the repeats that are due (``repeat``).

A store error ends its step only: it is listed in ``PlanStats.errors``, the events stay
unrouted, and the next plan tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from golive.config.root import ConfigBase
from golive.config.secrets import Secrets
from golive.exceptions import StoreError
from golive.notify.channels import channel_redactor
from golive.notify.compose import Context, alert_message
from golive.notify.digest import flush_digest
from golive.notify.items import Raced, collect, dedup_key, event_marks
from golive.notify.repeat import plan_repeats
from golive.notify.route import EffectiveRoute, effective_routes, group_key, group_values, route_for
from golive.store import outbox
from golive.store.evidence import Store
from golive.store.outbox import EventRow, NewNotification

log = logging.getLogger("golive.notify")

GroupId = tuple[int, tuple[str, ...]]
ESCALATION_ONLY = "escalation only (arrives with the on-call stage)"


@dataclass
class PlanStats:
    """What one ``plan`` did."""

    events: int = 0  # unrouted events read
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> events marked, not sent
    held: int = 0  # events still waiting (group_wait or a digest slot)
    messages: int = 0  # groups sent
    digests: int = 0
    repeats: int = 0
    notifications: int = 0  # outbox rows written
    escalations: int = 0  # events whose route names an escalation policy (on-call stage)
    raced: int = 0  # steps another planner did first
    errors: list[str] = field(default_factory=list)

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + count


@dataclass
class _Sorted:
    skip: dict[int, str] = field(default_factory=dict)
    groups: dict[GroupId, list[EventRow]] = field(default_factory=dict)
    digests: dict[int, list[EventRow]] = field(default_factory=dict)


def plan(
    store: Store,
    config: ConfigBase,
    now: datetime,
    *,
    secrets: Secrets | None = None,
    base_dir: Path | None = None,
) -> PlanStats:
    """Route new alert events into the outbox; see the module docstring for the steps.

    Blocking (store I/O): the serve loop runs it with ``asyncio.to_thread``. ``secrets`` and
    ``base_dir`` (the config file's folder, for relative runbook paths) come from the loaded
    config.
    """
    stats = PlanStats()
    routes = effective_routes(config.notify)
    redact = channel_redactor(config, secrets if secrets is not None else Secrets())
    context = Context(now, config.server.public_url, base_dir, redact)
    try:
        with outbox.transaction(store, "read alert events") as connection:
            events = outbox.unrouted_events(connection)
    except StoreError as exc:
        _failed(stats, exc)
        return stats
    stats.events = len(events)
    ordered = _sort(events, routes, stats)

    _step(stats, _mark_skipped, store, events, ordered.skip, now, stats)
    for (index, values), group in ordered.groups.items():
        route = routes[index]
        oldest = min(event.at for event in group)
        # an event stamped after `now` means the clock went back: waiting would hold the alert
        # for as long as the jump, so it counts as due
        if now - oldest >= route.group_wait or oldest > now:
            _step(stats, _flush, store, route, values, group, context, stats)
        else:
            stats.held += len(group)
    for index, waiting in ordered.digests.items():
        _step(stats, flush_digest, store, routes[index], waiting, config.reports, context, stats)
    busy = {e.fingerprint for g in (*ordered.groups.values(), *ordered.digests.values()) for e in g}
    _step(stats, plan_repeats, store, routes, context, busy, stats)
    return stats


def _sort(events: list[EventRow], routes: list[EffectiveRoute], stats: PlanStats) -> _Sorted:
    ordered = _Sorted()
    for event in events:
        payload = {**event.payload, "fingerprint": event.fingerprint}
        route = route_for(routes, payload)
        reason = _skip_reason(event, route)
        if route is not None and route.escalation and reason in (None, ESCALATION_ONLY):
            stats.escalations += 1
        if reason is not None:
            ordered.skip[event.id] = reason
        elif route is not None and route.digest:
            ordered.digests.setdefault(route.index, []).append(event)
        elif route is not None:
            group = (route.index, group_values(route, payload))
            ordered.groups.setdefault(group, []).append(event)
    return ordered


def _skip_reason(event: EventRow, route: EffectiveRoute | None) -> str | None:
    if event.transition == "pending":
        return "pending"
    if event.transition not in ("firing", "resolved"):
        return f"transition {event.transition}"
    if event.payload.get("silenced_by"):
        return "silenced"
    if event.payload.get("inhibited_by"):
        return "inhibited"
    if route is None:
        return "no route matches"
    if not route.to:
        return ESCALATION_ONLY
    return None


def _mark_skipped(
    store: Store, events: list[EventRow], skip: dict[int, str], now: datetime, stats: PlanStats
) -> None:
    if not skip:
        return
    with outbox.transaction(store, "mark skipped alert events") as connection:
        outbox.mark_routed(connection, sorted(skip), now)
    for event in events:
        if event.id in skip:
            stats.skip(skip[event.id])


def _flush(
    store: Store,
    route: EffectiveRoute,
    values: tuple[str, ...],
    events: list[EventRow],
    context: Context,
    stats: PlanStats,
) -> None:
    """One group: its message to each channel, its events routed, its alerts notified."""
    now = context.now
    ids = sorted(event.id for event in events)
    key = group_key(route, values)
    try:
        with outbox.transaction(store, "write a notification") as connection:
            if outbox.mark_routed(connection, ids, now) != len(ids):
                raise Raced
            collected = collect(connection, events, whole_episodes=False)
            stats.skip("resolved, never notified", collected.dropped)
            if not collected.items:
                return
            label = ", ".join(f"{k} {v}" for k, v in zip(route.group_by, values, strict=True) if v)
            message = alert_message(collected.items, context, group=label)
            states = {item.state for item in collected.items}
            for channel in route.to:
                stats.notifications += outbox.enqueue(
                    connection,
                    NewNotification(
                        dedup_key=dedup_key("events", *event_marks(events)),
                        channel=channel,
                        kind="alert" if "firing" in states else "resolved",
                        title=message.title,
                        body=message.body,
                        group_key=key,
                        payload={
                            "type": message.notify_type,
                            "route": route.index,
                            "events": ids,
                            "alerts": [str(i.payload["fingerprint"]) for i in collected.items],
                        },
                    ),
                    now,
                )
            outbox.set_notified(connection, collected.firing, now)
            stats.messages += 1
    except Raced:
        stats.raced += 1


def _step(stats: PlanStats, run: Callable[..., None], *args: Any) -> None:
    try:
        run(*args)
    except StoreError as exc:
        _failed(stats, exc)


def _failed(stats: PlanStats, exc: StoreError) -> None:
    stats.errors.append(str(exc))
    log.warning("notify planning: %s (will try again)", exc)
