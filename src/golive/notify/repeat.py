"""Repeats: a firing alert nobody acknowledged, not silenced or held back, is told again once
``repeat_every`` has passed since it was last told.

The dedup key is the alert and the notification it repeats (its ``last_notified_at``), and the
move of ``last_notified_at`` is a conditional UPDATE: two planners, a replay or a clock that
jumps ahead by days all make one repeat, not several. Alerts on digest routes do not repeat.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from golive.notify.compose import Context, Item, alert_message
from golive.notify.items import Raced, dedup_key
from golive.notify.route import EffectiveRoute, route_for
from golive.store import outbox
from golive.store.evidence import Store
from golive.store.outbox import AlertRow, NewNotification

if TYPE_CHECKING:
    from golive.notify.plan import PlanStats


def plan_repeats(
    store: Store,
    routes: Sequence[EffectiveRoute],
    context: Context,
    busy: Collection[str],
    stats: PlanStats,
) -> None:
    """Write the repeats that are due; ``busy`` alerts have events waiting and are left alone."""
    now = context.now
    with outbox.transaction(store, "read alerts to repeat") as connection:
        candidates = outbox.repeat_candidates(connection)
    for alert in candidates:
        if alert.fingerprint in busy or alert.last_notified_at is None:
            continue
        route = route_for(routes, _as_payload(alert))
        if route is None or route.digest or not route.to:
            continue
        previous = alert.last_notified_at
        if previous + route.repeat_every > now:
            continue
        try:
            with outbox.transaction(store, "write a repeat") as connection:
                if not outbox.claim_repeat(connection, alert.fingerprint, previous, now):
                    raise Raced
                payload = {
                    **(outbox.latest_payload(connection, alert.fingerprint) or {}),
                    **_as_payload(alert),
                }
                item = Item(payload, "repeat", since=alert.firing_since)
                message = alert_message([item], context)
                key = dedup_key("repeat", alert.fingerprint, previous.isoformat())
                for channel in route.to:
                    stats.notifications += outbox.enqueue(
                        connection,
                        NewNotification(
                            dedup_key=key,
                            channel=channel,
                            kind="repeat",
                            title=message.title,
                            body=message.body,
                            group_key=f"route{route.index + 1}:repeat",
                            payload={
                                "type": message.notify_type,
                                "route": route.index,
                                "alerts": [alert.fingerprint],
                                "repeats": previous.isoformat(),
                            },
                        ),
                        now,
                    )
                stats.repeats += 1
        except Raced:
            stats.raced += 1


def _as_payload(alert: AlertRow) -> dict[str, Any]:
    """The alert row in the shape of an event payload (for routing and the message)."""
    payload: dict[str, Any] = {
        "fingerprint": alert.fingerprint,
        "name": alert.name,
        "rule": alert.rule,
        "check": alert.check,
        "component": alert.component,
        "severity": alert.severity,
        "labels": alert.labels,
        "state": alert.state,
    }
    if alert.summary:
        payload["summary"] = alert.summary
    if alert.details:
        payload["details"] = alert.details
    if alert.firing_since:
        payload["since"] = alert.firing_since.isoformat()
    return payload
