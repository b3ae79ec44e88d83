"""What `golive serve` does for incidents each tick, one transaction per step:

1. read new alert events (a cursor in the store): a firing alert of a severity in
   ``incidents.open_on``, or routed to an escalation policy, joins the open incident of its group (the route's ``group_by``
   values, as the notifier groups) or opens one, with the route's escalation policy; alerts
   that resolve are told on their incidents' timelines;
2. fire the escalation steps that are due (``escalation.escalate_due``);
3. flag incidents nobody acknowledged within their severity's ``respond_within`` and tell the
   incident's channels;
4. tell each incident's timeline what became of its notifications (delivered, failed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection

from golive.config.root import ConfigBase
from golive.incidents.escalation import EscalationStats, Resolver, escalate_due
from golive.incidents.lifecycle import open_in, severity_for
from golive.notify.items import dedup_key
from golive.notify.route import EffectiveRoute, effective_routes, group_key, group_values, route_for
from golive.records import AlertPayload
from golive.store import incidents as queries
from golive.store import outbox
from golive.store.outbox import NewNotification
from golive.store.store import Store

CURSOR = "alert_cursor"
BATCH = 500
FIRST_LOOK_BACK = timedelta(hours=1)  # a store's first tick opens incidents for this much history


@dataclass
class WatchStats:
    opened: list[int] = field(default_factory=list)
    joined: int = 0
    escalation: EscalationStats = field(default_factory=EscalationStats)
    breaches: int = 0
    told: int = 0


def watch(store: Store, config: ConfigBase, now: datetime, *, resolver: Resolver) -> WatchStats:
    """One tick of the incidents stage (blocking store I/O: run it in a thread)."""
    stats = WatchStats()
    while _ingest(store, config, now, stats) == BATCH:
        pass
    stats.escalation = escalate_due(store, config, now, resolver=resolver)
    stats.breaches = _breaches(store, now)
    stats.told = _outcomes(store, now)
    return stats


def _ingest(store: Store, config: ConfigBase, now: datetime, stats: WatchStats) -> int:
    routes = effective_routes(config.notify)
    with store.writing("open incidents from alerts") as connection:
        stored = queries.meta(connection, CURSOR)
        cursor = int(stored) if stored is not None else 0
        rows = queries.alert_events_after(connection, cursor, BATCH)
        for row in rows:
            if stored is None and row.at < now - FIRST_LOOK_BACK:
                continue
            payload = AlertPayload.from_json(dict(row.payload or {}), fingerprint=row.fingerprint)
            if row.transition == "firing":
                _firing(connection, config, routes, payload, row.at, stats)
            elif row.transition == "resolved":
                _resolved(connection, payload, row.at)
        if rows:
            queries.set_meta(connection, CURSOR, str(rows[-1].id))
        elif stored is None:
            queries.set_meta(connection, CURSOR, "0")
    return len(rows)


def _firing(
    connection: Connection,
    config: ConfigBase,
    routes: list[EffectiveRoute],
    payload: AlertPayload,
    at: datetime,
    stats: WatchStats,
) -> None:
    route = route_for(routes, payload)
    paged = route is not None and route.escalation is not None
    if payload.held or not (paged or payload.severity in config.incidents.open_on):
        return
    key = (
        group_key(route, group_values(route, payload))
        if route is not None
        else f"component={payload.component or payload.check or payload.name}"
    )
    found = queries.open_for_group(connection, key)
    if found is None:
        severity = severity_for(config.incidents, payload.severity) or payload.severity.upper()
        found = open_in(
            connection,
            config.incidents,
            # the summary (errors, addresses) stays on the internal timeline: a public
            # incident's title is on /status
            title=f"{payload.title} failing"
            + (f" ({payload.component})" if payload.component else ""),
            severity=severity,
            at=at,
            actor=f"alert {payload.title}",
            component=payload.component,
            policy=route.escalation if route is not None else None,
            channels=route.to if route is not None else (),
            group_key=key,
        )
        stats.opened.append(found.id)
    if queries.add_alert(connection, found.id, payload.fingerprint):
        stats.joined += 1
        components = list(found.components)
        if payload.component and payload.component not in components:
            components.append(payload.component)
            queries.set_fields(connection, found.id, components=components)
        queries.append(
            connection,
            found.id,
            "alert_firing",
            at=at,
            actor="golive",
            message=f"alert {payload.title} firing: {payload.summary}".rstrip(": "),
            data={"fingerprint": payload.fingerprint, "severity": payload.severity},
        )


def _resolved(connection: Connection, payload: AlertPayload, at: datetime) -> None:
    for incident_id in queries.incidents_of_alert(connection, payload.fingerprint):
        queries.append(
            connection,
            incident_id,
            "alert_resolved",
            at=at,
            actor="golive",
            message=f"alert {payload.title} resolved",
            data={"fingerprint": payload.fingerprint},
        )


def _breaches(store: Store, now: datetime) -> int:
    flagged = 0
    with store.writing("flag missed response targets") as connection:
        for incident in queries.unacknowledged_past_target(connection, now):
            if not queries.flag_breach(connection, incident.id, now):
                continue
            flagged += 1
            late = incident.respond_by
            queries.append(
                connection,
                incident.id,
                "target_breached",
                at=now,
                actor="golive",
                message=f"response target missed: nobody acknowledged by {late:%H:%M:%S} UTC",
                data={"respond_by": late.isoformat() if late else None},
            )
            key = dedup_key("incident-breach", incident.id)
            written = []
            for channel in incident.channels:
                notification = NewNotification(
                    dedup_key=key,
                    channel=channel,
                    kind="breach",
                    title=f"[{incident.severity}] #{incident.id} missed its response target",
                    body=f"Incident #{incident.id} ({incident.title}) was not acknowledged "
                    f"within its {incident.severity} response target.",
                    group_key=f"incident:{incident.id}",
                    payload={"type": "warning", "incident": incident.id},
                )
                if outbox.enqueue(connection, notification, now):
                    written.append(outbox.ids_by_channel(connection, key)[channel])
            queries.track_notifications(connection, incident.id, written)
    return flagged


def _outcomes(store: Store, now: datetime) -> int:
    told = 0
    with store.writing("tell incidents what became of their notifications") as connection:
        for incident_id, notification_id, row in queries.untold_outcomes(connection):
            status = str(row.status)
            target = str(row.channel)
            if status == "delivered":
                message = f"{row.kind} delivered to {target}"
            else:
                message = f"{row.kind} to {target} failed: {row.last_error or 'unknown reason'}"
            queries.append(
                connection,
                incident_id,
                f"notification_{status}",
                at=row.delivered_at or now,
                actor="golive",
                message=message,
                data={"notification": notification_id, "channel": target},
            )
            queries.mark_told(connection, notification_id, status)
            told += 1
    return told
