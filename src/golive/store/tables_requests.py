"""Tables of the metrics sources: requests per minute and label set, and each source's state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from golive.store.tables import Base, UTCDateTime


class RequestMinuteRow(Base):
    """Requests of one source in one minute with one label set: count, errors (status >= 500)
    and the latency histogram (``golive.records.Histogram.to_bytes``)."""

    __tablename__ = "request_minutes"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    minute: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    labels: Mapped[str] = mapped_column(Text, primary_key=True)  # records.label_key
    count: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    histogram: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (
        # retention: DELETE ... WHERE minute < ? (the primary key serves the window reads)
        Index("ix_request_minutes_minute", "minute"),
    )


class MetricSourceRow(Base):
    """Where a source's reading stands (a log's position, a scrape's last counts), written in
    the same transaction as the minutes it read, and its health."""

    __tablename__ = "metric_sources"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    state: Mapped[dict[str, Any]]
    health: Mapped[dict[str, Any]]
