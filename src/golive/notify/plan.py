"""Planning: from unrouted alert events to rows in the outbox.

``plan`` reads every unrouted event (oldest first) and, one transaction per step:

1. marks routed, sending nothing, the events nobody is told about: pending, silenced,
   inhibited (their root cause is told instead), unknown transitions, no matching route, or a
   route with only an escalation policy (its incident's escalation pages: ``golive.incidents``);
2. groups the others of each non-digest route by the route's ``group_by`` values; a group whose
   oldest event is ``group_wait`` old becomes one message per channel, its events are marked
   routed and its firing alerts get ``last_notified_at`` — all in one transaction, the rows
   keyed by the SHA-256 of the event ids, so a replay inserts nothing new. Younger groups stay
   unrouted: durable across restarts;
3. sends each digest route's digest once its slot has come (``digest``);
4. writes the repeats that are due (``repeat``).

Each step returns a ``PlanStats`` of what it did, and ``plan`` adds them up. A store error ends
its step only: it is listed in ``PlanStats.errors``, the events stay unrouted, and the next plan
tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from golive.config.root import ConfigBase
from golive.config.secrets import Secrets
from golive.exceptions import StoreError
from golive.notify.channels import channel_redactor
from golive.notify.compose import Context, alert_message
from golive.notify.digest import flush_digest
from golive.notify.items import (
    Event,
    PlanStats,
    Raced,
    collect,
    dedup_key,
    enqueue,
    event_marks,
    skipped,
)
from golive.notify.repeat import plan_repeats
from golive.notify.route import EffectiveRoute, effective_routes, group_key, group_values, route_for
from golive.store import outbox
from golive.store.store import Store

log = logging.getLogger("golive.notify")

GroupId = tuple[int, tuple[str, ...]]
ESCALATION_ONLY = "escalation only (the incident's escalation pages)"


@dataclass(frozen=True)
class Sorted:
    """The unrouted events, each where it goes: skipped (with why), a group, or a digest."""

    skip: dict[int, str]
    groups: dict[GroupId, list[Event]]
    digests: dict[int, list[Event]]
    escalations: int


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
    routes = effective_routes(config.notify)
    redact = channel_redactor(config, secrets if secrets is not None else Secrets())
    context = Context(now, config.server.public_url, base_dir, redact)
    try:
        with store.writing("read alert events") as connection:
            events = [Event.read(row) for row in outbox.unrouted_events(connection)]
    except StoreError as exc:
        return _failed(exc)
    ordered = sort_events(events, routes)
    steps = [
        PlanStats(events=len(events), escalations=ordered.escalations),
        _step(_mark_skipped, store, events, ordered.skip, now),
    ]
    for (index, values), group in ordered.groups.items():
        route = routes[index]
        oldest = min(event.at for event in group)
        # an event stamped after `now` means the clock went back: waiting would hold the alert
        # for as long as the jump, so it counts as due
        if now - oldest >= route.group_wait or oldest > now:
            steps.append(_step(_flush, store, route, values, group, context))
        else:
            steps.append(PlanStats(held=len(group)))
    for index, waiting in ordered.digests.items():
        steps.append(_step(flush_digest, store, routes[index], waiting, config.reports, context))
    busy = {e.fingerprint for g in (*ordered.groups.values(), *ordered.digests.values()) for e in g}
    steps.append(_step(plan_repeats, store, routes, context, busy))
    return sum(steps, PlanStats())


def sort_events(events: list[Event], routes: list[EffectiveRoute]) -> Sorted:
    """Where each event goes (step 1's decision; nothing is written)."""
    skip: dict[int, str] = {}
    groups: dict[GroupId, list[Event]] = {}
    digests: dict[int, list[Event]] = {}
    escalations = 0
    for event in events:
        route = route_for(routes, event.payload)
        reason = _skip_reason(event, route)
        if route is not None and route.escalation and reason in (None, ESCALATION_ONLY):
            escalations += 1
        if reason is not None:
            skip[event.id] = reason
        elif route is not None and route.digest:
            digests.setdefault(route.index, []).append(event)
        elif route is not None:
            groups.setdefault((route.index, group_values(route, event.payload)), []).append(event)
    return Sorted(skip, groups, digests, escalations)


def _skip_reason(event: Event, route: EffectiveRoute | None) -> str | None:
    if event.transition == "pending":
        return "pending"
    if event.transition not in ("firing", "resolved"):
        return f"transition {event.transition}"
    if event.payload.held:
        return event.payload.held
    if route is None:
        return "no route matches"
    if not route.to:
        return ESCALATION_ONLY
    return None


def _mark_skipped(
    store: Store, events: list[Event], skip: dict[int, str], now: datetime
) -> PlanStats:
    if not skip:
        return PlanStats()
    with store.writing("mark skipped alert events") as connection:
        outbox.mark_routed(connection, sorted(skip), now)
    reasons = [skip[event.id] for event in events if event.id in skip]
    return PlanStats(skipped={reason: reasons.count(reason) for reason in dict.fromkeys(reasons)})


def _flush(
    store: Store,
    route: EffectiveRoute,
    values: tuple[str, ...],
    events: list[Event],
    context: Context,
) -> PlanStats:
    """One group: its message to each channel, its events routed, its alerts notified."""
    now = context.now
    ids = sorted(event.id for event in events)
    try:
        with store.writing("write a notification") as connection:
            if outbox.mark_routed(connection, ids, now) != len(ids):
                raise Raced
            collected = collect(connection, events, whole_episodes=False)
            dropped = skipped("resolved, never notified", collected.dropped)
            if not collected.items:
                return dropped
            label = ", ".join(f"{k} {v}" for k, v in zip(route.group_by, values, strict=True) if v)
            message = alert_message(collected.items, context, group=label)
            firing = any(item.state == "firing" for item in collected.items)
            written = enqueue(
                connection,
                message,
                route.to,
                kind="alert" if firing else "resolved",
                key=dedup_key("events", *event_marks(events)),
                group_key=group_key(route, values),
                now=now,
                route=route.index,
                events=ids,
                alerts=collected.fingerprints,
            )
            outbox.set_notified(connection, collected.firing, now)
    except Raced:
        return PlanStats(raced=1)
    return dropped + PlanStats(messages=1, notifications=written)


def _step(run: Callable[..., PlanStats], *args: object) -> PlanStats:
    """A step's result; a store error ends that step only (the next plan tries again)."""
    try:
        return run(*args)
    except StoreError as exc:
        return _failed(exc)


def _failed(exc: StoreError) -> PlanStats:
    log.warning("notify planning: %s (will try again)", exc)
    return PlanStats(errors=(str(exc),))
