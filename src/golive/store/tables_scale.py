"""Tables of the scaled wiring: the inbox of probe results that workers write and the
evaluator reads, the workers' heartbeats, and the long jobs sent to them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, text
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


class JobRow(Base):
    """A long job (a backup, a drill, a load test) sent to a region's workers: ``queued`` by the service,
    ``running`` once a worker claimed it, then ``done`` or ``failed``. At most one queued or
    running row per (environment, kind, name): the partial unique index refuses a second, so
    two replicas, or a redelivered task, never start the same job twice."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    environment: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20))
    attempt: Mapped[int] = mapped_column(Integer)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)  # lost when not finished by then
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    error: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    progress: Mapped[str | None] = mapped_column(String(500), nullable=True)  # a load test's line

    __table_args__ = (
        # enqueue: INSERT refused while one is active; active jobs: WHERE state IN (...)
        Index(
            "ux_jobs_active",
            "environment",
            "kind",
            "name",
            unique=True,
            postgresql_where=text("state IN ('queued', 'running')"),
            sqlite_where=text("state IN ('queued', 'running')"),
        ),
        # the latest job of a name: WHERE environment = ? AND kind = ? AND name = ? ORDER BY id
        Index("ix_jobs_name", "environment", "kind", "name", "id"),
    )
