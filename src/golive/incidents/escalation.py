"""Escalation: a policy's steps, one after the other, until someone acknowledges.

Step 1 of round 1 fires when the incident opens; each step notifies its targets and, if
nobody acknowledges within its ``wait``, the next step fires; after the last step the policy
starts again, ``repeat`` more rounds, then stops (the timeline says so). Firing a step is one
transaction: a conditional UPDATE moves the state from (round, step) to the next one, and only
the caller that moved it writes the step's rows to the outbox (dedup key per incident, round,
step and target). So a step never fires twice, a crash before the commit fires it again after
the restart, and an acknowledgement (which stops the escalation in its own transaction) stops
it at once for everyone.

Targets: ``person:NAME`` pages that person's ``notify`` URLs, ``schedule:NAME`` pages whoever
the resolver says is on call at that moment, ``channel:NAME`` writes to the notify channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from golive.config.oncall import EscalationPolicy, OnCall
from golive.config.root import ConfigBase
from golive.incidents.links import new_token
from golive.notify.channels import person_channel
from golive.notify.items import dedup_key
from golive.records.incidents import EscalationState, IncidentView
from golive.store import incidents as queries
from golive.store import outbox
from golive.store.outbox import NewNotification
from golive.store.store import Store

Resolver = Callable[[str, datetime], str]  # (schedule name, at) -> the person on call


def first_in_rotation(oncall: OnCall) -> Resolver:
    """A resolver that always answers the rotation's first person (a stand-in until the
    schedules' maths is wired in)."""
    rotations = {s.name: s.rotation for s in oncall.schedules}

    def resolve(name: str, at: datetime) -> str:
        return rotations[name][0]

    return resolve


@dataclass(frozen=True)
class Page:
    """One outbox channel a step writes to, and who it reaches."""

    channel: str
    recipient: str  # a person's name, or channel:NAME
    target: str  # the step's target it came from


@dataclass
class EscalationStats:
    fired: int = 0
    notifications: int = 0
    stopped: int = 0
    errors: list[str] = field(default_factory=list)


def pages_for(target: str, oncall: OnCall, resolver: Resolver, at: datetime) -> list[Page]:
    kind, _, name = target.partition(":")
    if kind == "channel":
        return [Page(name, target, target)]
    person = resolver(name, at) if kind == "schedule" else name
    urls = next((p.notify for p in oncall.people if p.name == person), [])
    return [Page(person_channel(person, i), person, target) for i in range(len(urls))]


def escalate_due(
    store: Store, config: ConfigBase, now: datetime, *, resolver: Resolver
) -> EscalationStats:
    """Fire every escalation step that is due."""
    stats = EscalationStats()
    with store.reading("read due escalations") as connection:
        due = queries.due_escalations(connection, now)
    policies = {p.name: p for p in config.oncall.escalation_policies}
    for state in due:
        with store.writing("fire an escalation step") as connection:
            incident = queries.get(connection, state.incident_id)
            policy = policies.get(state.policy)
            if incident is None or incident.state != "triggered" or policy is None:
                why = "policy no longer configured" if policy is None else "incident answered"
                if queries.stop_escalation(connection, state.incident_id, now, why):
                    stats.stopped += 1
                continue
            stats.notifications += _fire(
                connection, config, policy, state, incident, now, resolver, stats
            )
    return stats


def _fire(
    connection: Connection,
    config: ConfigBase,
    policy: EscalationPolicy,
    state: EscalationState,
    incident: IncidentView,
    now: datetime,
    resolver: Resolver,
    stats: EscalationStats,
) -> int:
    steps = policy.steps
    if state.step >= len(steps):  # the last step's wait is over
        if state.round >= policy.repeat:
            if queries.advance_escalation(
                connection,
                state,
                round=state.round,
                step=state.step,
                next_at=now,
                stopped_at=now,
                stop_reason="exhausted",
            ):
                stats.stopped += 1
                queries.append(
                    connection,
                    incident.id,
                    "escalation_exhausted",
                    at=now,
                    actor="golive",
                    message=f"escalation {policy.name}: every step of {policy.repeat + 1} "
                    "round(s) notified and nobody acknowledged",
                )
            return 0
        state = _restart_round(connection, state, now)
        if state.step != 0:
            return 0
    step = steps[state.step]
    last = state.step + 1 == len(steps)
    if not queries.advance_escalation(
        connection, state, round=state.round, step=state.step + 1, next_at=now + step.wait
    ):
        return 0  # another process fired it
    stats.fired += 1
    pages = [p for target in step.notify for p in pages_for(target, config.oncall, resolver, now)]
    written: list[int] = []
    for page in pages:
        key = dedup_key("incident", incident.id, state.round, state.step, page.target)
        body = _body(queries.link_key(connection), config, incident, page, now, state, policy)
        title = f"[{incident.severity}] #{incident.id} {incident.title}"
        notification = NewNotification(
            dedup_key=key,
            channel=page.channel,
            kind="page",
            title=title,
            body=body,
            group_key=f"incident:{incident.id}",
            payload={"type": "failure", "incident": incident.id, "target": page.target},
        )
        if outbox.enqueue(connection, notification, now):
            written.append(outbox.ids_by_channel(connection, key)[page.channel])
    queries.track_notifications(connection, incident.id, written)
    whom = ", ".join(dict.fromkeys(p.recipient for p in pages)) or "nobody (no notify URLs)"
    then = "" if last and state.round >= policy.repeat else f"; next in {step.wait}"
    queries.append(
        connection,
        incident.id,
        "escalation_step",
        at=now,
        actor="golive",
        message=f"escalation {policy.name} round {state.round + 1} step {state.step + 1}: "
        f"paged {whom}{then}",
        data={
            "policy": policy.name,
            "round": state.round + 1,
            "step": state.step + 1,
            "targets": list(step.notify),
            "recipients": sorted({p.recipient for p in pages}),
            "notifications": written,
        },
    )
    return len(written)


def _restart_round(
    connection: Connection, state: EscalationState, now: datetime
) -> EscalationState:
    """Move to step 1 of the next round (conditionally, like a step)."""
    moved = queries.advance_escalation(
        connection, state, round=state.round + 1, step=0, next_at=now
    )
    if not moved:
        return EscalationState(state.incident_id, state.policy, state.round, -1, now)
    return EscalationState(state.incident_id, state.policy, state.round + 1, 0, now)


def _body(
    key: bytes,
    config: ConfigBase,
    incident: IncidentView,
    page: Page,
    now: datetime,
    state: EscalationState,
    policy: EscalationPolicy,
) -> str:
    base = (config.server.public_url or "").rstrip("/")
    lines = [
        f"Incident #{incident.id} ({incident.severity}): {incident.title}",
        f"Opened {incident.opened_at:%Y-%m-%d %H:%M:%S} UTC"
        + (f", component {incident.component}" if incident.component else ""),
        f"Escalation {policy.name}: round {state.round + 1}, step {state.step + 1}.",
        "",
    ]
    for action in ("acknowledge", "resolve"):
        token = new_token(key, incident.id, action, recipient=page.recipient, now=now)
        lines.append(f"{action.capitalize()}: {base}/i/{token}")
    if base:
        lines.append(f"Details: {base}/incidents/{incident.id}")
    return "\n".join(lines)
