"""The operations report as Markdown (``--markdown FILE``, the notification's body) and as the
notification's title."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from golive.incidents.reports import Report

NOT_YET_INCIDENTS = "n/a until incidents are recorded"
NOT_YET_SLOS = "n/a: no slos: in the config"


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def _span(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    return f"{minutes // 60}h {minutes % 60:02d}m" if minutes >= 60 else f"{minutes}m"


def _percent(value: float | None) -> str:
    return "no runs" if value is None else f"{value * 100:.2f}%"


def _slo_line(slo: dict[str, Any]) -> str:
    left = slo["budget"]["remaining_share"]
    line = (
        f"- {slo['name']}: {_percent(slo['attainment'])} of {_percent(slo['objective'])}"
        f" over {slo['window']}, budget left {_percent(max(0.0, left) if left is not None else None)}"
    )
    return line + (f" ({slo['note']})" if slo["note"] else "")


def title(report: Report) -> str:
    """One line: the period and what needs attention."""
    down = [c.name for c in report.components if c.state == "down"]
    fired = sum(a.fired for a in report.alerts)
    health = f"{len(down)} component(s) down" if down else "all components up"
    return (
        f"{report.project}: {report.period} report to {report.end:%Y-%m-%d}: {health}, "
        f"{fired} alert(s) fired, {report.failed_notifications} notification(s) failed"
    )


def markdown(report: Report) -> str:
    """The whole report as Markdown."""
    lines = [
        f"# {report.project}: {report.period} operations report",
        "",
        f"{_when(report.start)} → {_when(report.end)} · environment {report.environment}",
        "",
        "## Health and uptime",
        "",
        "| component | now | uptime | runs | failures |",
        "|---|---|---|---|---|",
    ]
    for c in report.components:
        lines.append(f"| {c.name} | {c.state} | {_percent(c.uptime)} | {c.runs} | {c.failures} |")
    lines += ["", "## SLOs", ""]
    if report.slos is None:
        lines.append(NOT_YET_SLOS)
    else:
        lines += [_slo_line(s) for s in report.slos]
    fired = sum(a.fired for a in report.alerts)
    resolved = sum(a.resolved for a in report.alerts)
    lines += [
        "",
        "## Alerts",
        "",
        f"{fired} fired, {resolved} resolved; mean time to resolve "
        f"{_span(report.alert_mttr_seconds)}.",
    ]
    if report.alerts:
        lines += ["", "| alert | severity | fired | resolved |", "|---|---|---|---|"]
        lines += [f"| {a.name} | {a.severity} | {a.fired} | {a.resolved} |" for a in report.alerts]
    lines += ["", "## Incidents", ""]
    stats = report.incidents
    if stats is None:
        lines.append(NOT_YET_INCIDENTS)
    else:
        lines.append(
            f"{stats.get('count', 0)} opened, {stats.get('open', 0)} still open, "
            f"{stats.get('breaches', 0)} response target(s) missed; "
            f"MTTA {_span(stats.get('mtta_seconds'))}, MTTR {_span(stats.get('mttr_seconds'))}."
        )
    lines += ["", "## Notifications that failed", ""]
    if not report.failed_notifications:
        lines.append("None.")
    else:
        lines.append(f"{report.failed_notifications} failed for good:")
        lines += [f"- {_when(f.at)} to {f.channel}: {f.title} ({f.error})" for f in report.failures]
    lines += ["", "## Sign-offs about to expire", ""]
    if not report.expiring:
        lines.append("None in the next 14 days.")
    else:
        lines += [
            f"- {s.item}: signed by {s.signed_by}, expires {_when(s.expires_at)}"
            for s in report.expiring
        ]
    return "\n".join(lines) + "\n"
