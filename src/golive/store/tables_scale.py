"""Tables of the scaled wiring: the inbox of probe results that workers write and the
evaluator reads, and the workers' heartbeats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from golive.store.tables import Base, UTCDateTime


class ProbeResultRow(Base):
    """One check's run in one region, written by a worker and deleted by the evaluator in the
    transaction that stores what it made of it (so a restart neither loses nor recounts it)."""

    __tablename__ = "probe_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(100))
    dispatch: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]  # the CheckResult (golive.scale.payload)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    # retention: DELETE ... WHERE received_at < ? (prune)
    __table_args__ = (Index("ix_probe_results_received", "received_at"),)


class WorkerRow(Base):
    """One `golive worker` process: what it runs and when it last said it was alive. Read
    whole by `golive status` and the region service: no index needed."""

    __tablename__ = "workers"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    region: Mapped[str] = mapped_column(String(100))
    pid: Mapped[int] = mapped_column(Integer)
    concurrency: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[int] = mapped_column(Integer, default=0)
