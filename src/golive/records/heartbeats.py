"""A heartbeat check's runs as golive knows them, and one ping (or external result) reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

PingKind = Literal["start", "end"]


@dataclass(frozen=True)
class Ping:
    """One report of a job: its ``start``, or its ``end`` with ``ok`` (a success, ``/fail`` or
    an exit code). ``log`` is the tail of its output, already capped and redacted; ``values``,
    ``latency_ms`` and ``error`` come with an external result (``POST /api/checks/.../results``).
    """

    check: str
    kind: PingKind
    at: datetime
    ok: bool = True
    exit_code: int | None = None
    log: str | None = None
    source: Literal["ping", "api"] = "ping"
    latency_ms: float | None = None
    error: str | None = None
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HeartbeatState:
    """What golive knows about a heartbeat check's runs (kept in the store across restarts).

    ``watched_since`` stands in for the last ping before the first one; ``missed`` is the
    newest expected ping already reported late (each missed slot is reported once), and
    ``overdue_reported`` says the open run (``started_at``) was reported as not finishing.
    """

    check: str
    watched_since: datetime
    last_ping_at: datetime | None = None
    started_at: datetime | None = None
    exit_code: int | None = None
    duration_s: float | None = None
    runs: int = 0
    missed: datetime | None = None
    overdue_reported: bool = False
