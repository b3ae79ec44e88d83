"""The table of leader leases: who leads each role, at which epoch, until when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from golive.store.tables import Base, UTCDateTime


class Lease(Base):
    """One named lease (``scheduler``, ``evaluator``): its holder, the epoch that grows by one at
    each change of holder, and when it lapses unless renewed. Read by primary key only."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    epoch: Mapped[int] = mapped_column(BigInteger)
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
