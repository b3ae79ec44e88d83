"""What running a check produces, and how it becomes evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from golive.records import EvidenceRecord


@dataclass(frozen=True)
class Failure:
    """An expectation that did not hold, with the actual values of the fields it read."""

    expect: str
    values: dict[str, Any]
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"expect": self.expect, "values": self.values}
        if self.error:
            data["error"] = self.error
        return data


@dataclass(frozen=True)
class CheckResult:
    """One run of one check. ``fields`` and ``error`` are already redacted.

    ``late_ms`` is set when the run timed out while golive's own event loop was late by that
    much: the run is *inconclusive*, it measured golive, not the target, and no state, alert or
    rollup counts it.
    """

    name: str
    component: str | None
    kind: str
    target: str
    ok: bool
    latency_ms: float | None
    error: str | None
    failed: tuple[Failure, ...]
    fields: dict[str, Any]
    taken_at: datetime
    fresh_for: timedelta = field(default=timedelta(minutes=2))
    late_ms: float | None = None

    @property
    def inconclusive(self) -> bool:
        return self.late_ms is not None

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` shape of a result."""
        return {
            "name": self.name,
            "component": self.component,
            "kind": self.kind,
            "target": self.target,
            "ok": self.ok,
            "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 3),
            "failed": [f.as_dict() for f in self.failed],
            "error": self.error,
            "fields": self.fields,
            "taken_at": self.taken_at.isoformat(),
            "inconclusive": self.inconclusive,
            "late_ms": None if self.late_ms is None else round(self.late_ms, 1),
        }

    def evidence(self, *, compact: bool = False) -> EvidenceRecord:
        """This result as evidence; ``compact`` keeps the verdict and latency but not the
        fields (what `golive serve` stores for a pass that follows a pass)."""
        values = {} if compact else self.fields
        if self.late_ms is not None:
            values = {**values, "inconclusive": True, "late_ms": round(self.late_ms, 1)}
        return EvidenceRecord(
            kind="probe",
            subject=self.name,
            ok=self.ok,
            taken_at=self.taken_at,
            expires_at=self.taken_at + self.fresh_for,
            latency_ms=self.latency_ms,
            error=self.error,
            values=values,
            failed=[f.as_dict() for f in self.failed],
        )
