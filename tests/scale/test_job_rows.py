"""The jobs table's rules on SQLite and PostgreSQL: one active job per name, a claim that only
one delivery wins, and when the sending side calls a job lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from golive.scale.job_queue import WORKER_LOST, why_lost
from golive.scale.jobs import GRACE, QUEUE_WAIT, time_limit
from golive.store import Store
from golive.store.jobs import Job, claim, enqueue, finish, give_up, job, jobs_of

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def queue_one(store: Store, name: str = "db") -> Job | None:
    return enqueue(
        store, kind="backup", name=name, environment="e", region="a", now=T0, deadline=T0
    )


def test_a_second_job_of_the_same_name_is_refused_while_one_is_active(store: Store) -> None:
    first = queue_one(store)
    assert first is not None
    assert queue_one(store) is None  # queued
    assert queue_one(store, "other") is not None  # another name is its own
    assert claim(store, first.id, worker="w1", now=T0, deadline=T0 + timedelta(hours=1))
    assert queue_one(store) is None  # running
    assert finish(store, first.id, ok=True, now=T0)
    second = queue_one(store)  # done: the next one may go
    assert second is not None
    assert [j.state for j in jobs_of(store, "e", "backup", "db")] == ["queued", "done"]


def test_only_one_delivery_claims_a_job_and_a_given_up_one_is_claimed_by_none(
    store: Store,
) -> None:
    queued = queue_one(store)
    assert queued is not None
    later = T0 + timedelta(hours=1)
    assert claim(store, queued.id, worker="w1", now=T0, deadline=later)
    assert not claim(store, queued.id, worker="w2", now=T0, deadline=later)
    found = job(store, queued.id)
    assert found is not None and found.worker == "w1" and found.state == "running"
    assert give_up(store, found, now=T0, error="gone")
    assert not finish(store, queued.id, ok=True, now=T0)  # a late worker changes nothing
    lost = queue_one(store, "lost")
    assert lost is not None and give_up(store, lost, now=T0, error="no worker")
    assert not claim(store, lost.id, worker="w1", now=T0, deadline=later)


def at(state: str, **values: object) -> Job:
    base = {
        "id": 1,
        "kind": "backup",
        "name": "db",
        "environment": "e",
        "region": "a",
        "state": state,
        "attempt": 1,
        "queued_at": T0,
        "deadline": T0 + QUEUE_WAIT,
    }
    return Job(**{**base, **values})  # type: ignore[arg-type]


def test_when_a_job_counts_as_lost() -> None:
    queued = at("queued")
    assert why_lost(queued, {}, T0 + QUEUE_WAIT - timedelta(seconds=1)) is None
    assert "no worker of region a took it" in (why_lost(queued, {}, T0 + QUEUE_WAIT) or "")

    running = at("running", worker="w1", started_at=T0, deadline=T0 + timedelta(minutes=5))
    beating = {"w1": T0 + timedelta(minutes=5)}
    assert why_lost(running, beating, T0 + timedelta(minutes=5)) is None
    silent = why_lost(running, {"w1": T0}, T0 + timedelta(seconds=16)) or ""
    assert silent.startswith(WORKER_LOST) and "w1" in silent
    assert (why_lost(running, {}, T0) or "").startswith(WORKER_LOST)
    hung = T0 + timedelta(minutes=5) + GRACE
    assert "past its limit (0:05:00)" in (why_lost(running, {"w1": hung}, hung) or "")


def test_a_jobs_limit_comes_from_its_own_promises() -> None:
    from golive.config.ship import Backup

    def spec(**values: object) -> Backup:
        return Backup.model_validate(
            {"name": "db", "files": {"paths": ["d"]}, "to": {"dir": "b"}, **values}
        )

    assert time_limit(spec(every="6h", rpo="15m"), "backup") == timedelta(minutes=15)
    assert time_limit(spec(every="2h"), "backup") == timedelta(hours=2)
    assert time_limit(spec(cron="0 3 * * *"), "backup") == timedelta(hours=6)
    assert time_limit(spec(every="10s"), "backup") == timedelta(minutes=1)  # at least a minute
    assert time_limit(spec(rto="20m"), "drill") == timedelta(hours=1)
    assert time_limit(spec(), "drill") == timedelta(hours=6)
