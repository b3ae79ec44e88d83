"""The lifecycle of an incident: open, acknowledge, mitigate, resolve, reopen, notes and public
status updates. Each change is one transaction: the conditional state change, its timeline
entry, and (acknowledge, resolve) the end of its escalation and of its unsent pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from golive.config.oncall import Incidents
from golive.exceptions import UsageError
from golive.records.incidents import PUBLIC_STATUSES, IncidentView
from golive.store import incidents as queries
from golive.store.store import Store

ACTIONS = ("acknowledge", "mitigate", "resolve", "reopen")
_FROM = {
    "acknowledge": ("triggered",),
    "mitigate": ("triggered", "acknowledged"),
    "resolve": ("triggered", "acknowledged", "mitigated"),
    "reopen": ("resolved",),
}


def severity_for(incidents: Incidents, alert_severity: str) -> str | None:
    """The incident severity an alert of ``alert_severity`` opens (first configured match)."""
    for name, level in incidents.severities.items():
        if level.from_ == alert_severity:
            return name
    return None


def is_public_severity(incidents: Incidents, severity: str) -> bool:
    """Incidents of a severity opened by ``critical`` alerts are shown on /status by themselves."""
    level = incidents.severities.get(severity)
    return level is not None and level.from_ == "critical"


def check_severity(incidents: Incidents, severity: str) -> str:
    """``severity`` when configured (any name when ``incidents.severities`` is empty)."""
    names = list(incidents.severities)
    if names and severity not in names:
        raise UsageError.unknown("severity", severity, names)
    return severity


def open_incident(
    store: Store,
    incidents: Incidents,
    *,
    title: str,
    severity: str,
    at: datetime,
    actor: str,
    component: str | None = None,
    public: bool | None = None,
    policy: str | None = None,
    channels: Sequence[str] = (),
) -> IncidentView:
    """Open an incident by hand (and start its escalation when it has a ``policy``)."""
    check_severity(incidents, severity)
    if not title.strip():
        raise UsageError("an incident needs a title")
    with store.writing("open an incident") as connection:
        return open_in(
            connection,
            incidents,
            title=title,
            severity=severity,
            at=at,
            actor=actor,
            component=component,
            public=public,
            policy=policy,
            channels=channels,
        )


def open_in(
    connection: Connection,
    incidents: Incidents,
    *,
    title: str,
    severity: str,
    at: datetime,
    actor: str,
    component: str | None = None,
    public: bool | None = None,
    policy: str | None = None,
    channels: Sequence[str] = (),
    group_key: str | None = None,
) -> IncidentView:
    """``open_incident`` inside the caller's transaction."""
    level = incidents.severities.get(severity)
    shown = is_public_severity(incidents, severity) if public is None else public
    incident = queries.insert_incident(
        connection,
        title=title[:300],
        severity=severity,
        state="triggered",
        component=component,
        components=[component] if component else [],
        public=shown,
        group_key=group_key,
        policy=policy,
        channels=list(channels),
        opened_at=at,
        opened_by=actor,
        respond_by=at + level.respond_within if level is not None else None,
    )
    queries.append(
        connection,
        incident.id,
        "opened",
        at=at,
        actor=actor,
        message=f"{severity} opened: {title}",
        data={"component": component, "public": shown},
    )
    if shown:
        queries.append(
            connection,
            incident.id,
            "status_update",
            at=at,
            actor=actor,
            message=f"We are investigating a problem with {component or title}.",
            data={"status": "investigating"},
        )
    if policy:
        queries.start_escalation(connection, incident.id, policy, at)
    return incident


def get_incident(store: Store, incident_id: int) -> IncidentView:
    """The incident, or a ``UsageError`` naming the id."""
    with store.reading("read an incident") as connection:
        found = queries.get(connection, incident_id)
    if found is None:
        raise UsageError(f"no incident #{incident_id}")
    return found


def list_incidents(
    store: Store, *, open_only: bool = False, public_only: bool = False, limit: int = 100
) -> list[IncidentView]:
    with store.reading("list incidents") as connection:
        return queries.list_incidents(
            connection, open_only=open_only, public_only=public_only, limit=limit
        )


def act(
    store: Store,
    incident_id: int,
    action: str,
    *,
    at: datetime,
    actor: str,
    message: str = "",
) -> IncidentView:
    """Acknowledge, mitigate, resolve or reopen; a change the state does not allow is a
    ``UsageError`` that says why (acknowledging a resolved incident, ...)."""
    with store.writing(f"{action} an incident") as connection:
        return act_in(connection, incident_id, action, at=at, actor=actor, message=message)


def act_in(
    connection: Connection,
    incident_id: int,
    action: str,
    *,
    at: datetime,
    actor: str,
    message: str = "",
) -> IncidentView:
    """``act`` inside the caller's transaction."""
    if action not in ACTIONS:
        raise UsageError(f"unknown action {action!r} (expected one of {', '.join(ACTIONS)})")
    found = queries.get(connection, incident_id)
    if found is None:
        raise UsageError(f"no incident #{incident_id}")
    if found.state not in _FROM[action]:
        raise UsageError(_refusal(found, action))
    values: dict[str, object] = {"updated_at": at}
    if action == "acknowledge":
        values |= {"state": "acknowledged", "acknowledged_at": at, "acknowledged_by": actor}
    elif action == "mitigate":
        values |= {"state": "mitigated", "mitigated_at": at}
        if found.acknowledged_at is None:  # mitigating is also answering the page
            values |= {"acknowledged_at": at, "acknowledged_by": actor}
    elif action == "resolve":
        values |= {"state": "resolved", "resolved_at": at}
        if found.acknowledged_at is None:
            values |= {"acknowledged_at": at, "acknowledged_by": actor}
    else:
        values |= {"state": "triggered", "resolved_at": None, "mitigated_at": None}
    if not queries.change(connection, incident_id, allowed=_FROM[action], **values):
        raise UsageError(f"incident #{incident_id} changed meanwhile; try again")
    past = {"acknowledge": "acknowledged", "mitigate": "mitigated", "resolve": "resolved"}
    word = past.get(action, "reopened")
    line = f"{word} by {actor}" + (f": {message}" if message else "")
    queries.append(connection, incident_id, word, at=at, actor=actor, message=line)
    if action in ("acknowledge", "mitigate", "resolve"):
        _stop_paging(connection, incident_id, at, f"{word} by {actor}")
    if action == "resolve" and found.public and _last_status(connection, incident_id) != "resolved":
        text = message or "This incident has been resolved."
        queries.append(
            connection,
            incident_id,
            "status_update",
            at=at,
            actor=actor,
            message=text,
            data={"status": "resolved"},
        )
    if action == "reopen" and found.policy:
        queries.start_escalation(connection, incident_id, found.policy, at)
    updated = queries.get(connection, incident_id)
    assert updated is not None
    return updated


def _stop_paging(connection: Connection, incident_id: int, at: datetime, reason: str) -> None:
    if queries.stop_escalation(connection, incident_id, at, reason):
        queries.append(
            connection,
            incident_id,
            "escalation_stopped",
            at=at,
            actor="golive",
            message=f"escalation stopped: {reason}",
        )
    cancelled = queries.cancel_pending(connection, incident_id, f"not sent: {reason}")
    if cancelled:
        queries.append(
            connection,
            incident_id,
            "notifications_cancelled",
            at=at,
            actor="golive",
            message=f"{cancelled} unsent page(s) cancelled: {reason}",
            data={"count": cancelled},
        )


def _refusal(found: IncidentView, action: str) -> str:
    if found.state == "resolved":
        return (
            f"incident #{found.id} is resolved; reopen it first (golive incident reopen {found.id})"
        )
    if action == "reopen":
        return f"incident #{found.id} is not resolved (it is {found.state})"
    return f"incident #{found.id} is already {found.state}"


def _last_status(connection: Connection, incident_id: int) -> str | None:
    updates = [e for e in queries.timeline(connection, incident_id) if e.kind == "status_update"]
    return str(updates[-1].data.get("status")) if updates else None


def note(store: Store, incident_id: int, text: str, *, at: datetime, actor: str) -> int:
    """Add a note to the timeline."""
    if not text.strip():
        raise UsageError("a note needs some text")
    get_incident(store, incident_id)
    with store.writing("add a note") as connection:
        return queries.append(connection, incident_id, "note", at=at, actor=actor, message=text)


def update_status(
    store: Store,
    incident_id: int,
    *,
    status: str,
    message: str,
    at: datetime,
    actor: str,
    public: bool | None = None,
) -> IncidentView:
    """A status update for users (investigating, identified, monitoring, resolved); ``public``
    publishes (True) or withdraws (False) the incident from /status."""
    if status not in PUBLIC_STATUSES:
        raise UsageError(
            f"unknown status {status!r} (expected one of {', '.join(PUBLIC_STATUSES)})"
        )
    if not message.strip():
        raise UsageError("a status update needs a --message for the users")
    with store.writing("update an incident's status") as connection:
        found = queries.get(connection, incident_id)
        if found is None:
            raise UsageError(f"no incident #{incident_id}")
        if public is not None and public != found.public:
            queries.set_fields(connection, incident_id, public=public, updated_at=at)
        queries.append(
            connection,
            incident_id,
            "status_update",
            at=at,
            actor=actor,
            message=message,
            data={"status": status},
        )
        updated = queries.get(connection, incident_id)
    assert updated is not None
    if status == "resolved" and updated.open:
        return act(store, incident_id, "resolve", at=at, actor=actor)
    return updated
