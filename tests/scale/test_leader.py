"""Leadership beside a role's loop, on a clock the tests move: it leads when the lease is free,
renews every third of the ttl, keeps the lead through store errors only until the lease's
expiry as measured locally, and stops the role's work the moment its term ends."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from golive.clock import ManualClock
from golive.exceptions import FencedOut
from golive.scale import Leadership
from golive.store import Store
from golive.store.leases import Held, current, hold

TTL = timedelta(seconds=9)
START = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


class Steps:
    """A ``sleep`` for ``run()`` that moves the manual clock and records each pause; after
    ``limit`` pauses it waits until ``resume`` is set."""

    def __init__(self, clock: ManualClock, limit: int) -> None:
        self.clock, self.limit = clock, limit
        self.pauses: list[float] = []
        self.resume = asyncio.Event()
        self.parked = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
        if len(self.pauses) >= self.limit:
            self.parked.set()
            await self.resume.wait()
        self.clock.advance(seconds)


def broken_store(tmp_path: Path) -> Store:
    """A store whose every query fails (its file is a folder): a real database error."""
    return Store(create_engine(f"sqlite:///{tmp_path}"))


async def test_it_leads_a_free_lease_and_renews_every_third_of_the_ttl(store: Store) -> None:
    clock = ManualClock(START)
    steps = Steps(clock, limit=4)
    leader = Leadership(store, "scheduler", "a", ttl=TTL, clock=clock, sleep=steps)
    running = asyncio.create_task(leader.run())
    await asyncio.wait_for(steps.parked.wait(), 10)
    assert leader.is_leader and leader.became_leader.is_set() and not leader.lost.is_set()
    assert steps.pauses == [3.0, 3.0, 3.0, 3.0]
    assert leader.held == Held("scheduler", "a", 1, START + timedelta(seconds=9) + TTL)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert leader.lost.is_set() and not leader.is_leader
    lapsed = current(store, "scheduler")
    assert lapsed is not None and lapsed.expires_at <= clock.now()  # released on the way out


async def test_a_standby_waits_while_another_holder_leads(store: Store) -> None:
    clock = ManualClock(START)
    hold(store, "scheduler", "a", ttl=TTL, now=START)
    standby = Leadership(store, "scheduler", "b", ttl=TTL, clock=clock)
    await standby.attempt()
    assert not standby.is_leader and standby.lost.is_set()
    assert standby.last_error == "another holder has the lease"
    clock.advance(TTL)
    await standby.attempt()
    assert standby.is_leader and standby.held is not None and standby.held.epoch == 2


async def test_store_errors_keep_the_lead_only_until_the_local_expiry(
    store: Store, tmp_path: Path
) -> None:
    clock = ManualClock(START)
    leader = Leadership(store, "scheduler", "a", ttl=TTL, clock=clock)
    await leader.attempt()
    assert leader.is_leader
    leader.store = broken_store(tmp_path)
    for _ in range(2):
        clock.advance(3)
        await leader.attempt()
        assert leader.is_leader, "a failed renewal inside the ttl keeps the lead"
        assert leader.last_error is not None and "cannot hold lease" in leader.last_error
    clock.advance(2.999)
    assert leader.is_leader
    clock.advance(0.001)
    assert not leader.is_leader, "never past expires_at as measured locally"
    await leader.attempt()
    assert leader.lost.is_set() and leader.held is None


async def test_a_renewal_that_hangs_past_the_expiry_loses_the_lead(store: Store) -> None:
    clock = ManualClock(START)
    leader = Leadership(store, "scheduler", "a", ttl=timedelta(seconds=0.6), clock=clock)
    await leader.attempt()
    with store.writing("lock the lease row") as connection:  # the renewal waits on this
        if store.engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT * FROM leases FOR UPDATE")
        else:
            connection.exec_driver_sql("UPDATE leases SET holder = holder")
        clock.advance(0.2)
        await leader.attempt()  # gives up after the 0.4 s left, measured on the clock given
    assert leader.lost.is_set() and leader.last_error == (
        "the store did not answer before the lease lapsed"
    )


async def test_while_leader_runs_the_work_only_while_leading(store: Store, tmp_path: Path) -> None:
    clock = ManualClock(START)
    leader = Leadership(store, "scheduler", "a", ttl=TTL, clock=clock)
    terms: list[int] = []
    cancelled = asyncio.Event()

    async def work(held: Held) -> None:
        terms.append(held.epoch)
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    role = asyncio.create_task(leader.while_leader(work))
    await asyncio.sleep(0.05)
    assert terms == []  # not leading yet
    await leader.attempt()
    await asyncio.sleep(0.05)
    assert terms == [1]
    hold(store, "scheduler", "b", ttl=TTL, now=START + TTL)
    clock.advance(TTL)
    await leader.attempt()
    await asyncio.wait_for(cancelled.wait(), 5)
    assert not role.done()  # waits for the next term
    clock.advance(TTL)
    await leader.attempt()
    await asyncio.sleep(0.05)
    assert terms == [1, 3]
    role.cancel()
    with pytest.raises(asyncio.CancelledError):
        await role


async def test_a_fenced_out_work_ends_the_term(store: Store) -> None:
    clock = ManualClock(START)
    leader = Leadership(store, "scheduler", "a", ttl=TTL, clock=clock)
    await leader.attempt()
    calls: list[int] = []

    async def work(held: Held) -> str:
        calls.append(held.epoch)
        if len(calls) == 1:
            raise FencedOut("scheduler", held.epoch, holder="b", holder_epoch=held.epoch + 1)
        return "done"

    role = asyncio.create_task(leader.while_leader(work))
    await asyncio.sleep(0.05)
    assert leader.lost.is_set() and calls == [1]
    clock.advance(TTL)
    await leader.attempt()
    assert await asyncio.wait_for(role, 5) == "done"
    assert calls == [1, 2]
