"""Leases on the store, on SQLite and on a real PostgreSQL: taken when free or lapsed with the
epoch one higher, renewed by their holder at the same epoch, refused to others while live,
released for a clean hand-over; and the fenced store refusing a deposed leader's transactions."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from golive.exceptions import FencedOut
from golive.records import RunSummary
from golive.scale import fenced
from golive.store import Store
from golive.store.leases import Held, current, hold, leases, release
from golive.store.tables import Run

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
TTL = timedelta(seconds=10)


def a_run(by: str, at: datetime = NOW) -> RunSummary:
    return RunSummary(command="lease-test", environment=by, started_at=at, finished_at=at)


def runs_by(store: Store, by: str) -> int:
    with store.reading("count runs") as connection:
        query = select(func.count()).select_from(Run).where(Run.environment == by)
        return int(connection.execute(query).scalar_one())


def test_a_free_lease_is_taken_at_epoch_one(store: Store) -> None:
    held = hold(store, "scheduler", "a", ttl=TTL, now=NOW)
    assert held == Held("scheduler", "a", 1, NOW + TTL)
    assert current(store, "scheduler") == held
    assert current(store, "evaluator") is None


def test_the_holder_renews_at_the_same_epoch_and_others_are_refused(store: Store) -> None:
    hold(store, "scheduler", "a", ttl=TTL, now=NOW)
    renewed = hold(store, "scheduler", "a", ttl=TTL, now=NOW + timedelta(seconds=3))
    assert renewed == Held("scheduler", "a", 1, NOW + timedelta(seconds=13))
    assert hold(store, "scheduler", "b", ttl=TTL, now=NOW + timedelta(seconds=12)) is None
    assert current(store, "scheduler") == renewed


def test_a_lapsed_lease_is_taken_by_another_at_the_next_epoch(store: Store) -> None:
    hold(store, "scheduler", "a", ttl=TTL, now=NOW)
    later = NOW + TTL  # expires_at itself is already lapsed
    stolen = hold(store, "scheduler", "b", ttl=TTL, now=later)
    assert stolen == Held("scheduler", "b", 2, later + TTL)
    assert hold(store, "scheduler", "a", ttl=TTL, now=later + timedelta(seconds=1)) is None


def test_its_own_lapsed_lease_is_a_new_term_for_the_holder(store: Store) -> None:
    hold(store, "scheduler", "a", ttl=TTL, now=NOW)
    again = hold(store, "scheduler", "a", ttl=TTL, now=NOW + timedelta(seconds=30))
    assert again is not None and again.epoch == 2


def test_leases_are_independent_by_name(store: Store) -> None:
    hold(store, "scheduler", "a", ttl=TTL, now=NOW)
    assert hold(store, "evaluator", "b", ttl=TTL, now=NOW) == Held("evaluator", "b", 1, NOW + TTL)
    assert [lease.holder for lease in leases(store)] == ["b", "a"]


def test_release_lets_a_standby_take_over_at_once(store: Store) -> None:
    held = hold(store, "scheduler", "a", ttl=TTL, now=NOW)
    assert held is not None
    release(store, held)
    taken = hold(store, "scheduler", "b", ttl=TTL, now=NOW + timedelta(milliseconds=1))
    assert taken is not None and taken.epoch == 2


def test_release_of_a_lease_taken_over_since_changes_nothing(store: Store) -> None:
    old = hold(store, "scheduler", "a", ttl=TTL, now=NOW)
    assert old is not None
    new = hold(store, "scheduler", "b", ttl=TTL, now=NOW + TTL)
    release(store, old)
    assert current(store, "scheduler") == new


def test_a_ttl_must_be_positive(store: Store) -> None:
    with pytest.raises(ValueError, match="ttl"):
        hold(store, "scheduler", "a", ttl=timedelta(0), now=NOW)


def test_a_fenced_store_writes_while_its_lease_is_held(store: Store) -> None:
    held = hold(store, "scheduler", "a", ttl=timedelta(days=1), now=datetime.now(UTC))
    assert held is not None
    leader = fenced(store, held)
    try:
        leader.record_run(a_run("a"), [])
        assert leader.latest("http", "nothing") is None  # reads are fenced too, and pass
    finally:
        leader.close()
    assert runs_by(store, "a") == 1


def test_a_deposed_leaders_writes_are_refused_naming_the_new_holder(store: Store) -> None:
    start = datetime.now(UTC) - timedelta(minutes=5)
    old = hold(store, "scheduler", "a", ttl=timedelta(minutes=1), now=start)
    assert old is not None
    hold(store, "scheduler", "b", ttl=timedelta(days=1), now=datetime.now(UTC))
    deposed = fenced(store, old, ttl=timedelta(minutes=1))
    try:
        with pytest.raises(FencedOut) as refused:
            deposed.record_run(a_run("a"), [])
    finally:
        deposed.close()
    assert str(refused.value) == (
        "fenced out of lease 'scheduler' (epoch 1): it is held by 'b' at epoch 2"
    )
    assert runs_by(store, "a") == 0


def test_a_lapsed_lease_fences_its_holder_out_before_anyone_takes_it(store: Store) -> None:
    start = datetime.now(UTC) - timedelta(minutes=5)
    old = hold(store, "scheduler", "a", ttl=timedelta(minutes=1), now=start)
    assert old is not None
    deposed = fenced(store, old, ttl=timedelta(minutes=1))
    try:
        with pytest.raises(FencedOut, match="lapsed and no one holds it"):
            deposed.record_run(a_run("a"), [])
    finally:
        deposed.close()


def test_on_postgresql_a_takeover_waits_for_the_fenced_transaction_in_flight(
    store: Store,
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: the takeover cannot overlap a transaction")
    now = datetime.now(UTC)
    old = hold(store, "scheduler", "a", ttl=timedelta(seconds=30), now=now)
    assert old is not None
    leader = fenced(store, old, ttl=timedelta(seconds=30))
    took: list[Held | None] = []
    later = now + timedelta(seconds=31)  # the standby's clock says the lease has lapsed
    standby = threading.Thread(
        target=lambda: took.append(hold(store, "scheduler", "b", ttl=TTL, now=later))
    )
    try:
        with leader.writing("write as the leader") as connection:
            standby.start()
            time.sleep(0.5)
            assert not took, "the takeover must wait for the fenced transaction"
            connection.execute(
                Run.__table__.insert(), a_run("a").__dict__ | {"total": 0, "failed": 0}
            )
        standby.join(timeout=10)
        assert took and took[0] is not None and took[0].epoch == 2
        with pytest.raises(FencedOut, match="held by 'b' at epoch 2"):
            leader.record_run(a_run("a"), [])
    finally:
        leader.close()
    assert runs_by(store, "a") == 1  # the one committed before the takeover


def test_on_postgresql_fenced_sessions_end_idle_transactions_within_the_ttl(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no server to end a session")
    held = hold(store, "scheduler", "a", ttl=timedelta(seconds=9), now=datetime.now(UTC))
    assert held is not None
    leader = fenced(store, held, ttl=timedelta(seconds=9))
    try:
        with leader.reading("read the session's settings") as connection:
            idle = connection.exec_driver_sql("SHOW idle_in_transaction_session_timeout").scalar()
            lock = connection.exec_driver_sql("SHOW lock_timeout").scalar()
    finally:
        leader.close()
    assert (idle, lock) == ("3s", "3s")  # a third of the ttl each
    with store.reading("read the plain store's settings") as connection:
        assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "0"
