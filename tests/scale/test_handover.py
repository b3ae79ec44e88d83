"""Leases between real processes, on SQLite and on a real PostgreSQL: two racing for a lease,
one wins each round; a leader killed with SIGKILL is followed by its standby within the ttl and
one renewal interval; a leader frozen inside a fenced transaction (PostgreSQL) is taken over,
and once thawed its writes are refused and nothing it wrote after the takeover is kept."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from devkit.leases import Contender
from golive.store import Store
from golive.store.leases import current, hold
from golive.store.tables import Run

TTL = 2.0
ROUNDS = 150


@pytest.fixture
def contenders() -> Iterator[list[Contender]]:
    started: list[Contender] = []
    yield started
    for contender in started:
        contender.stop()


def test_two_processes_racing_for_a_lease_never_both_win(
    store: Store, store_url: str, contenders: list[Contender]
) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    for i in range(ROUNDS):
        hold(store, f"lapsed-{i}", "gone", ttl=timedelta(seconds=1), now=long_ago)
    start = time.time() + 3  # both are up and waiting by then
    contenders += [Contender("race", store_url, who, str(ROUNDS), str(start)) for who in "ab"]
    won = {who: set(c.next_line(60)["won"]) for who, c in zip("ab", contenders, strict=True)}
    assert not won["a"] & won["b"], "one lease won by both"
    names = {f"{kind}-{i}" for kind in ("race", "lapsed") for i in range(ROUNDS)}
    assert won["a"] | won["b"] == names, "every round has a winner"
    assert won["a"] and won["b"], "both won some rounds: they did race"
    for i in range(ROUNDS):
        lapsed = current(store, f"lapsed-{i}")
        assert lapsed is not None and lapsed.epoch == 2


def test_a_standby_leads_within_the_ttl_and_one_interval_after_the_leader_is_killed(
    store: Store, store_url: str, contenders: list[Contender]
) -> None:
    leader = Contender("lead", store_url, "a", str(TTL))
    contenders.append(leader)
    assert leader.wait_for("leader", 30)["epoch"] == 1
    leader.wait_for("wrote", 10)
    standby = Contender("lead", store_url, "b", str(TTL))
    contenders.append(standby)
    standby.wait_for("standby", 30)
    time.sleep(TTL / 2)
    killed_at = time.time()
    os.kill(leader.proc.pid, signal.SIGKILL)
    took = standby.wait_for("leader", TTL * 3)
    handover = took["at"] - killed_at
    bound = TTL + TTL / 3
    print(f"hand-over after SIGKILL: {handover:.2f} s (bound {bound:.2f} s)")
    assert took["epoch"] == 2
    assert (
        handover <= bound + 1.0
    )  # the child's own scheduling and a store round trip, on a busy machine
    standby.wait_for("wrote", 10)


def test_a_frozen_leader_is_taken_over_and_fenced_out_when_it_thaws(
    store: Store, store_url: str, contenders: list[Contender]
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("a frozen SQLite writer holds the only write lock: no one can take over")
    old = Contender("freeze", store_url, "a", str(TTL))
    contenders.append(old)
    inside = old.wait_for("inside", 30)
    os.kill(old.proc.pid, signal.SIGSTOP)
    try:
        new = Contender("lead", store_url, "b", str(TTL))
        contenders.append(new)
        took = new.wait_for("leader", TTL * 4)
        new.wait_for("wrote", 10)
    finally:
        os.kill(old.proc.pid, signal.SIGCONT)
    print(f"takeover {took['at'] - inside['at']:.2f} s after the freeze (ttl {TTL} s)")
    assert took["epoch"] == 2
    done = old.wait_for("done", 30)
    assert done["frozen"].startswith("error: "), done  # its session was ended by the server
    assert done["after"] == (
        "fenced: fenced out of lease 'scheduler' (epoch 1): it is held by 'b' at epoch 2"
    )
    with store.reading("read runs") as connection:
        rows = connection.execute(select(Run.command, Run.environment)).all()
    assert sorted(command for command, by in rows if by == "a") == ["before"] * 5
    assert [command for command, by in rows if by == "b"] == ["lease"]
