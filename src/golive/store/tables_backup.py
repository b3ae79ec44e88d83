"""Tables of the backups stage: the catalog of backups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from golive.store.tables import Base, UTCDateTime


class BackupRow(Base):
    """One backup: what was dumped, where it went, its files with checksums, and its state
    (running → good | failed; good → corrupt when its files stop matching)."""

    __tablename__ = "backups"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    environment: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(500))
    key: Mapped[str] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    size: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    files: Mapped[list[Any]]
    source: Mapped[dict[str, Any]]
    encrypted: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)
    verified: Mapped[bool | None] = mapped_column(Boolean)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        # list, retention, newest good: WHERE environment = ? AND name = ? ORDER BY started_at DESC
        Index("ix_backups_name", "environment", "name", "started_at"),
    )
