"""Repeats: a firing alert nobody acknowledged, not silenced or held back, is told again once
``repeat_every`` has passed since it was last told.

The dedup key is the alert and the notification it repeats (its ``last_notified_at``), and the
move of ``last_notified_at`` is a conditional UPDATE: two planners, a replay or a clock that
jumps ahead by days all make one repeat, not several. Alerts on digest routes do not repeat.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from golive.notify.compose import Context, Item, alert_message
from golive.notify.items import PlanStats, Raced, dedup_key, enqueue
from golive.notify.route import EffectiveRoute, route_for
from golive.records import AlertPayload
from golive.store import outbox
from golive.store.outbox import AlertRow
from golive.store.store import Store


def plan_repeats(
    store: Store,
    routes: Sequence[EffectiveRoute],
    context: Context,
    busy: Collection[str],
) -> PlanStats:
    """Write the repeats that are due; ``busy`` alerts have events waiting and are left alone."""
    now = context.now
    with store.writing("read alerts to repeat") as connection:
        candidates = outbox.repeat_candidates(connection)
    done = PlanStats()
    for alert in candidates:
        if alert.fingerprint in busy or alert.last_notified_at is None:
            continue
        route = route_for(routes, as_payload(alert))
        if route is None or route.digest or not route.to:
            continue
        previous = alert.last_notified_at
        if previous + route.repeat_every > now:
            continue
        done += _repeat(store, route, alert, previous, context)
    return done


def _repeat(
    store: Store, route: EffectiveRoute, alert: AlertRow, previous: datetime, context: Context
) -> PlanStats:
    """One repeat, if no other planner wrote it first."""
    now = context.now
    try:
        with store.writing("write a repeat") as connection:
            if not outbox.claim_repeat(connection, alert.fingerprint, previous, now):
                raise Raced
            latest = outbox.latest_payload(connection, alert.fingerprint) or {}
            item = Item(as_payload(alert, latest), "repeat", since=alert.firing_since)
            written = enqueue(
                connection,
                alert_message([item], context),
                route.to,
                kind="repeat",
                key=dedup_key("repeat", alert.fingerprint, previous.isoformat()),
                group_key=f"route{route.index + 1}:repeat",
                now=now,
                route=route.index,
                alerts=[alert.fingerprint],
                repeats=previous.isoformat(),
            )
    except Raced:
        return PlanStats(raced=1)
    return PlanStats(repeats=1, notifications=written)


def as_payload(alert: AlertRow, latest: Mapping[str, Any] | None = None) -> AlertPayload:
    """The alert row as a payload (for routing and the message): its newest event's payload,
    if given, with the fields the row holds now."""
    base = AlertPayload.from_json(latest or {}, fingerprint=alert.fingerprint)
    return replace(
        base,
        name=alert.name,
        rule=alert.rule,
        check=alert.check,
        component=alert.component,
        severity=alert.severity,
        labels={str(k): str(v) for k, v in alert.labels.items()},
        state=alert.state,
        summary=alert.summary or base.summary,
        details=alert.details or base.details,
        since=alert.firing_since or base.since,
    )
