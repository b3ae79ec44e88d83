"""Tables of heartbeat checks: each check's ping secret and what its runs have reported."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from golive.store.tables import Base, UTCDateTime


class Heartbeat(Base):
    """One heartbeat check: the secret of its ping URL and its runs so far (a restarted
    `golive serve` goes on from them). Read whole by the heartbeat loop: no index needed."""

    __tablename__ = "heartbeats"

    check: Mapped[str] = mapped_column(String(200), primary_key=True)
    secret: Mapped[str] = mapped_column(String(100))
    secret_created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    watched_since: Mapped[datetime] = mapped_column(UTCDateTime)
    last_ping_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    exit_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    missed: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    overdue_reported: Mapped[bool] = mapped_column(Boolean, default=False)
