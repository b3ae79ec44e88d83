"""What the backup jobs hand back: a drill's checks and verdict, and the progress callback."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class Progress(Protocol):
    """Told about bytes moving: ``phase`` starts a bar (``total`` None when unknown)."""

    def phase(self, name: str, total: int | None) -> None: ...

    def at(self, done: int) -> None:
        """``done`` bytes so far in this phase."""
        ...


class NoProgress:
    """Progress nobody watches."""

    def phase(self, name: str, total: int | None) -> None:
        pass

    def at(self, done: int) -> None:
        pass


@dataclass(frozen=True)
class Check:
    """One drill check: ``name`` (``readable public.accounts``, ``expect 1``, ``rto``) and why."""

    name: str
    ok: bool
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class DrillReport:
    """A restore drill: the backup it restored, where to, how long, and every check."""

    name: str
    backup_id: int | None
    ok: bool
    restore_seconds: float = 0.0
    rto_seconds: float | None = None
    scratch: str | None = None
    checks: tuple[Check, ...] = ()
    error: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def reason(self) -> str:
        """One line: why it failed, or what passed."""
        if self.error:
            return self.error
        if self.failed:
            return "; ".join(f"{c.name}: {c.detail}" for c in self.failed)
        return f"{len(self.checks)} checks passed, restored in {self.restore_seconds:.1f}s"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "backup_id": self.backup_id,
            "ok": self.ok,
            "restore_seconds": round(self.restore_seconds, 3),
            "rto_seconds": self.rto_seconds,
            "scratch": self.scratch,
            "checks": [c.as_dict() for c in self.checks],
            "error": self.error,
            "reason": self.reason,
            **self.values,
        }
