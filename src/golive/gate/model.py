"""What a gate run produces: one result per item, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Status = Literal["pass", "fail", "stale", "unsigned", "unsupported"]


@dataclass(frozen=True)
class ItemResult:
    """How one readiness item stands, with the evidence behind it."""

    name: str
    category: str
    required: bool
    status: Status
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    kind: str = ""  # run:<builtin> | checks | loadtest | backup | manual
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "pass"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "category": self.category,
            "required": self.required,
            "ok": self.ok,
            "status": self.status,
            "reason": self.reason,
            "evidence": self.evidence,
            "warnings": list(self.warnings),
            "kind": self.kind,
        }


@dataclass(frozen=True)
class GateReport:
    """The verdict of one gate run."""

    project: str
    environment: str
    version: str | None
    at: datetime
    items: tuple[ItemResult, ...]

    @property
    def verdict(self) -> Literal["GO", "NO-GO"]:
        """GO when every required item is proven; a gate with nothing to prove is NO-GO."""
        required = [item for item in self.items if item.required]
        return "GO" if required and all(item.ok for item in required) else "NO-GO"

    @property
    def blocking(self) -> list[ItemResult]:
        return [item for item in self.items if item.required and not item.ok]

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "project": self.project,
            "environment": self.environment,
            "version": self.version,
            "at": self.at.isoformat(),
            "items": [item.as_dict() for item in self.items],
        }
