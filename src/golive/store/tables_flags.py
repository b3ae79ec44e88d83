"""Tables of feature flags: the runtime overrides over the config's definitions and the audit
trail of every change (who, when, why, before, after)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from golive.store.tables import Base, UTCDateTime


class FlagOverride(Base):
    """A flag's state as changed at runtime; a null column keeps the config's value."""

    __tablename__ = "flag_overrides"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    enabled: Mapped[bool | None] = mapped_column(Boolean)
    rollout: Mapped[float | None] = mapped_column(Float)  # percent, 0 to 100
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by: Mapped[str] = mapped_column(String(200))


class FlagChange(Base):
    """One runtime change of a flag, kept for the audit trail."""

    __tablename__ = "flag_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flag: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_by: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any]]
    after: Mapped[dict[str, Any]]

    __table_args__ = (
        # golive flag history NAME: WHERE flag = ? ORDER BY at DESC
        Index("ix_flag_changes_flag", "flag", "at"),
    )
