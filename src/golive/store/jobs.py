"""Queries of the long jobs sent to workers (backups, drills, load tests): queue one unless one of the
same name is active, claim it (``queued`` to ``running``) with a conditional UPDATE, finish
it, and fail those past their deadline. Every change is conditional on the state it leaves,
so a redelivered task, a second replica or a late worker changes nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from golive.exceptions import StoreError
from golive.store.store import Store
from golive.store.tables_scale import JobRow

ACTIVE = ("queued", "running")


@dataclass(frozen=True)
class Job:
    """One long job: what it runs (``kind`` backup or drill, ``name``), where, and its state."""

    id: int
    kind: str
    name: str
    environment: str
    region: str
    state: str
    attempt: int
    queued_at: datetime
    deadline: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    worker: str | None = None
    error: str | None = None
    progress: str | None = None  # a load test's latest progress line


def enqueue(
    store: Store,
    *,
    kind: str,
    name: str,
    environment: str,
    region: str,
    now: datetime,
    deadline: datetime,
    attempt: int = 1,
) -> Job | None:
    """A new ``queued`` job, or None when one of the same kind and name is queued or running
    (the unique index decides, so two writers racing cannot both queue one)."""
    values = {
        "kind": kind,
        "name": name,
        "environment": environment,
        "region": region,
        "state": "queued",
        "attempt": attempt,
        "queued_at": now,
        "deadline": deadline,
    }
    try:
        with store.writing("queue a job") as connection:
            job_id = connection.execute(insert(JobRow).returning(JobRow.id), values).scalar_one()
    except StoreError as exc:
        if isinstance(exc.__cause__, IntegrityError):
            return None
        raise
    return Job(id=int(job_id), **values)  # type: ignore[arg-type]


def claim(store: Store, job_id: int, *, worker: str, now: datetime, deadline: datetime) -> bool:
    """Move a queued job to ``running`` by ``worker``; False when it is not queued any more
    (another delivery of its task runs it, or it was given up)."""
    statement = (
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.state == "queued")
        .values(state="running", worker=worker, started_at=now, deadline=deadline)
    )
    with store.writing("claim a job") as connection:
        return connection.execute(statement).rowcount == 1


def finish(store: Store, job_id: int, *, ok: bool, now: datetime, error: str | None = None) -> bool:
    """Mark a running job ``done`` or ``failed``; False when it was not running any more."""
    statement = (
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.state == "running")
        .values(state="done" if ok else "failed", finished_at=now, error=error)
    )
    with store.writing("finish a job") as connection:
        return connection.execute(statement).rowcount == 1


def set_progress(store: Store, job_id: int, progress: str) -> None:
    """Write a running job's progress line (what `golive loadtest --region` shows)."""
    statement = (
        update(JobRow)
        .where(JobRow.id == job_id, JobRow.state == "running")
        .values(progress=progress[:500])
    )
    with store.writing("write a job's progress") as connection:
        connection.execute(statement)


def give_up(store: Store, job: Job, *, now: datetime, error: str) -> bool:
    """Fail an active job that will not finish (its worker is gone, its deadline passed);
    False when it finished meanwhile."""
    statement = (
        update(JobRow)
        .where(JobRow.id == job.id, JobRow.state == job.state)
        .values(state="failed", finished_at=now, error=error)
    )
    with store.writing("give up a job") as connection:
        return connection.execute(statement).rowcount == 1


def active_jobs(store: Store, environment: str) -> list[Job]:
    """The queued and running jobs of ``environment``."""
    query = select(JobRow.__table__).where(
        JobRow.environment == environment, JobRow.state.in_(ACTIVE)
    )
    with store.reading("read jobs") as connection:
        return [Job(**row) for row in connection.execute(query.order_by(JobRow.id)).mappings()]


def jobs_of(store: Store, environment: str, kind: str, name: str, *, limit: int = 20) -> list[Job]:
    """The newest jobs of one kind and name, newest first."""
    query = (
        select(JobRow.__table__)
        .where(JobRow.environment == environment, JobRow.kind == kind, JobRow.name == name)
        .order_by(JobRow.id.desc())
        .limit(limit)
    )
    with store.reading("read jobs") as connection:
        return [Job(**row) for row in connection.execute(query).mappings()]


def job(store: Store, job_id: int) -> Job | None:
    with store.reading("read a job") as connection:
        row = connection.execute(select(JobRow.__table__).where(JobRow.id == job_id)).mappings()
        found = row.first()
    return Job(**found) if found is not None else None
