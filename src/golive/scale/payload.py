"""A ``CheckResult`` as the JSON a worker writes into the inbox, and back, losslessly."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from golive.engine.results import CheckResult, Failure


def to_payload(result: CheckResult) -> dict[str, Any]:
    """``result`` as plain JSON values (unlike ``as_dict``, nothing rounded or left out)."""
    return {
        "name": result.name,
        "component": result.component,
        "kind": result.kind,
        "target": result.target,
        "ok": result.ok,
        "latency_ms": result.latency_ms,
        "error": result.error,
        "failed": [f.as_dict() for f in result.failed],
        "fields": result.fields,
        "taken_at": result.taken_at.isoformat(),
        "fresh_for": result.fresh_for.total_seconds(),
        "late_ms": result.late_ms,
    }


def from_payload(data: dict[str, Any]) -> CheckResult:
    """The result ``to_payload`` wrote."""
    return CheckResult(
        name=data["name"],
        component=data["component"],
        kind=data["kind"],
        target=data["target"],
        ok=data["ok"],
        latency_ms=data["latency_ms"],
        error=data["error"],
        failed=tuple(
            Failure(f["expect"], f.get("values", {}), f.get("error")) for f in data["failed"]
        ),
        fields=data["fields"],
        taken_at=datetime.fromisoformat(data["taken_at"]),
        fresh_for=timedelta(seconds=data["fresh_for"]),
        late_ms=data["late_ms"],
    )
