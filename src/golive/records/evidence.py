"""Evidence: one fact golive established, and the run that established a batch of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class EvidenceRecord:
    """One fact to store; ``values`` and ``failed`` must already be redacted."""

    kind: str
    subject: str
    ok: bool
    taken_at: datetime
    expires_at: datetime
    latency_ms: float | None = None
    error: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    failed: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class RunSummary:
    """One `golive check` / `golive gate` run: its evidence is stored under it."""

    command: str
    environment: str
    started_at: datetime
    finished_at: datetime
