"""A postmortem in Markdown, written from an incident and its timeline: summary, impact,
timeline, what was done, and follow-ups for the team to fill in."""

from __future__ import annotations

from datetime import datetime

from golive.config.root import ConfigBase
from golive.records.incidents import IncidentView, TimelineEntry

_DONE = {"acknowledged", "mitigated", "resolved", "reopened", "note", "status_update"}


def duration(seconds: float | None) -> str:
    """``1h 05m``, ``4m 10s``, or ``—``."""
    if seconds is None:
        return "—"
    left = int(seconds)
    hours, left = divmod(left, 3600)
    minutes, secs = divmod(left, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def _since(incident: IncidentView, at: datetime | None) -> str:
    return duration((at - incident.opened_at).total_seconds()) if at else "—"


def postmortem(
    incident: IncidentView, entries: list[TimelineEntry], config: ConfigBase, now: datetime
) -> str:
    """The Markdown document."""
    end = incident.resolved_at or now
    components = ", ".join(incident.components) or incident.component or "none recorded"
    alerts = [e for e in entries if e.kind == "alert_firing"]
    lines = [
        f"# Postmortem: #{incident.id} {incident.title}",
        "",
        "## Summary",
        "",
        f"- Severity: {incident.severity}",
        f"- State: {incident.state}",
        f"- Opened: {incident.opened_at:%Y-%m-%d %H:%M:%S} UTC by {incident.opened_by}",
        f"- Resolved: {incident.resolved_at:%Y-%m-%d %H:%M:%S} UTC"
        if incident.resolved_at
        else "- Resolved: not yet",
        "",
        "_What happened, in two or three sentences: (to fill in)_",
        "",
        "## Impact",
        "",
        f"- Duration: {duration((end - incident.opened_at).total_seconds())}"
        + ("" if incident.resolved_at else " (still open)"),
        f"- Time to acknowledge: {duration(incident.time_to_acknowledge)}",
        f"- Time to mitigate: {_since(incident, incident.mitigated_at)}",
        f"- Time to resolve: {duration(incident.time_to_resolve)}",
        f"- Response target: {_target(incident)}",
        f"- Affected components: {components}",
        f"- Alerts: {len(alerts)} ({', '.join(_alert_name(e) for e in alerts) or 'none'})",
        f"- Public on /status: {'yes' if incident.public else 'no'}",
        f"- SLO error budget burned: {_budget(config)}",
        "",
        "## Timeline (UTC)",
        "",
        "| time | who | what |",
        "|---|---|---|",
    ]
    for entry in entries:
        text = entry.message.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {entry.at:%Y-%m-%d %H:%M:%S} | {entry.actor} | {text} |")
    lines += ["", "## What was done", ""]
    done = [e for e in entries if e.kind in _DONE]
    lines += [f"- {e.at:%H:%M:%S} {e.actor}: {e.message}" for e in done] or ["- (nothing recorded)"]
    lines += [
        "",
        "## Root cause",
        "",
        "_(to fill in)_",
        "",
        "## Follow-ups",
        "",
        "| action | owner | due |",
        "|---|---|---|",
        "| _(to fill in)_ | | |",
        "",
    ]
    return "\n".join(lines)


def _target(incident: IncidentView) -> str:
    if incident.respond_by is None:
        return "none for this severity"
    within = duration((incident.respond_by - incident.opened_at).total_seconds())
    if incident.breached_at is not None:
        return f"{within}: missed"
    return f"{within}: met" if incident.acknowledged_at else f"{within}: not answered yet"


def _alert_name(entry: TimelineEntry) -> str:
    return entry.message.removeprefix("alert ").split(" firing")[0]


def _budget(config: ConfigBase) -> str:
    if not config.slos:
        return "no SLOs configured"
    names = ", ".join(s.name for s in config.slos)
    return f"not measured yet (SLO evaluation arrives with the SLO stage; SLOs: {names})"
