"""Tables of heartbeat checks: each check's ping secret, what its runs have reported, and the
pings web replicas received for the evaluator."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from golive.store.tables import Base, UTCDateTime


class Heartbeat(Base):
    """One heartbeat check: the SHA-256 of its ping URL's secret (None until one is issued; the
    secret itself is never stored) and its runs so far (a restarted `golive serve` goes on from
    them). Read whole by the heartbeat loop: no index needed."""

    __tablename__ = "heartbeats"

    check: Mapped[str] = mapped_column(String(200), primary_key=True)
    secret_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    secret_created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    watched_since: Mapped[datetime] = mapped_column(UTCDateTime)
    last_ping_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    exit_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    missed: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    overdue_reported: Mapped[bool] = mapped_column(Boolean, default=False)


class HeartbeatPing(Base):
    """A ping (or external result) received by a web replica and not yet judged: the
    evaluator's heartbeat loop claims and deletes the rows. The single process keeps its pings
    in memory and never writes here. Read whole, in ``id`` order: no index needed."""

    __tablename__ = "heartbeat_pings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ok: Mapped[bool] = mapped_column(Boolean)
    exit_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    log: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str] = mapped_column(String(10))
    latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    values: Mapped[dict[str, Any]] = mapped_column(JSON)
