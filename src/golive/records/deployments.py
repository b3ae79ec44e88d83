"""A finished deployment as DORA's measures read it: what shipped, when its commit was made,
when it went live, and how it ended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Outcome = Literal["promoted", "rolled_back", "aborted"]


@dataclass(frozen=True)
class Deployment:
    """One rollout that ended: ``finished_at`` is the promotion (or the rollback's end);
    ``committed_at`` is the time of its ``--commit`` (None without one)."""

    name: str
    version: str
    outcome: Outcome
    started_at: datetime
    finished_at: datetime
    commit: str | None = None
    committed_at: datetime | None = None
