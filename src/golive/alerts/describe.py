"""The words of an alert: its summary line, its details and the event payload.

Summaries read ``api-health is DOWN since 12:03:00Z: status == 200 → status = 503``; a time on
another day than the evaluation carries its date.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from golive.probes.expect import Expectation
from golive.records import AlertView

MAX_VALUE_CHARS = 200


def clock(moment: datetime, now: datetime) -> str:
    """``12:03:00Z`` today, ``2026-01-01 12:03:00Z`` on another day (UTC)."""
    moment, now = moment.astimezone(UTC), now.astimezone(UTC)
    return moment.strftime("%H:%M:%SZ" if moment.date() == now.date() else "%Y-%m-%d %H:%M:%SZ")


def span(duration: timedelta) -> str:
    """``1h5m``, ``30s``, ``0s``."""
    seconds = int(duration.total_seconds())
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


def show(value: Any) -> str:
    """A value as JSON (``503``, ``"degraded"``, ``null``), shortened."""
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


def failure_text(failed: Iterable[Mapping[str, Any]], error: str | None) -> str:
    """``status == 200 → status = 503; ...`` or the probe error."""
    if error:
        return error
    parts = []
    for failure in failed:
        values = failure.get("values") or {}
        shown = ", ".join(f"{path} = {show(value)}" for path, value in values.items())
        text = f"{failure.get('expect', '?')} → {shown}" if shown else str(failure.get("expect"))
        if failure.get("error"):
            text += f" ({failure['error']})"
        parts.append(text)
    return "; ".join(parts) or "failing"


def merged_values(failed: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for failure in failed:
        values.update(failure.get("values") or {})
    return values


def read_values(expectation: Expectation, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The values of the field paths an expression reads (also when it holds)."""
    values: dict[str, Any] = {}
    for path in expectation.paths:
        value: Any = fields
        for part in path.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        values[path] = _short(value)
    return values


def _short(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return value[:MAX_VALUE_CHARS] + f"… ({len(value)} chars)"
    if isinstance(value, dict | list) and len(show(value)) > MAX_VALUE_CHARS:
        return f"{type(value).__name__} of {len(value)} items"
    return value


def details(
    target: str | None,
    error: str | None,
    failed: Sequence[Mapping[str, Any]],
    values: Mapping[str, Any],
) -> dict[str, Any]:
    """The ``details`` of an alert, made JSON-able."""
    data = {"target": target, "error": error, "failed": list(failed), "values": dict(values)}
    result: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return result


def payload(
    alert: AlertView,
    *,
    runbook: str | None,
    affected: Sequence[str],
    reason: str | None = None,
) -> dict[str, Any]:
    """The ``alert_events.payload`` of one transition: the alert as it is now, JSON-able."""
    since = alert.since
    started = alert.pending_since or alert.firing_since
    return {
        "fingerprint": alert.fingerprint,
        "name": alert.name,
        "rule": alert.rule,
        "check": alert.check,
        "component": alert.component,
        "severity": alert.severity,
        "labels": dict(alert.labels),
        "state": alert.state,
        "since": since.isoformat() if since else None,
        "started_at": started.isoformat() if started else None,
        "summary": alert.summary,
        "details": alert.details,
        "runbook": runbook,
        "silenced_by": alert.silenced_by,
        "inhibited_by": alert.inhibited_by,
        "affected": list(affected),
        "acknowledged_by": alert.acknowledged_by,
        "reason": reason,
    }
