"""Tables of `golive gate`: sign-offs of manual items and the history of verdicts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from golive.store.tables import Base, UTCDateTime


class Signoff(Base):
    """A named person vouching for a manual gate item until ``expires_at``."""

    __tablename__ = "signoffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item: Mapped[str] = mapped_column(String(300))
    environment: Mapped[str] = mapped_column(String(100))
    signed_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (
        # the gate: the newest sign-off of an item in an environment
        Index("ix_signoffs_item", "environment", "item", "signed_at"),
    )


class GateRun(Base):
    """One `golive gate` verdict with every item as it was judged."""

    __tablename__ = "gate_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    environment: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    verdict: Mapped[str] = mapped_column(String(8))  # GO | NO-GO
    release: Mapped[str | None] = mapped_column(String(200))  # `golive gate --release`
    items: Mapped[list[Any]]

    __table_args__ = (
        # history and the latest verdict: WHERE environment = ? ORDER BY at DESC
        Index("ix_gate_runs_at", "environment", "at"),
    )
