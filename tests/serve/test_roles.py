"""What `golive serve --role` runs on which store, and a leased part's life: it runs while its
lease is held, is abandoned at once when the lease is taken, and a stop releases the lease."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from golive.clock import SystemClock
from golive.config import LoadedConfig, load_config
from golive.exceptions import FencedOut, UsageError
from golive.scale.leader import Leadership
from golive.serve.dispatching import Scheduler
from golive.serve.roles import Wiring, lead, wiring
from golive.serve.runtime import ServeRuntime
from golive.serve.scaled import Cluster, LeadingMetrics
from golive.store import Store, normalise_url
from golive.store.leases import current, hold

TTL = timedelta(seconds=0.6)


def config(tmp_path: Path, extra: str = "") -> LoadedConfig:
    path = tmp_path / "golive.yaml"
    path.write_text(
        "version: 1\nproject: shop\n"
        "checks:\n  - {name: ok, command: {run: 'true'}, every: 1s, timeout: 1s}\n" + extra
    )
    return load_config(path, environ={})


WORKERS = "workers: {broker: 'redis://127.0.0.1:6379/1', regions: [east, west]}\n"


def test_on_sqlite_it_is_todays_single_process_whatever_the_workers(tmp_path: Path) -> None:
    assert wiring(config(tmp_path), dialect="sqlite", role="all").single
    assert wiring(config(tmp_path, WORKERS), dialect="sqlite", role="all") == Wiring(
        web=True, leases=(), workers=False, shared=False
    )


def test_on_sqlite_it_refuses_a_split_role(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--role evaluator needs a shared PostgreSQL store"):
        wiring(config(tmp_path), dialect="sqlite", role="evaluator")


def test_on_postgresql_all_leads_the_evaluator_alone_without_workers(tmp_path: Path) -> None:
    wired = wiring(config(tmp_path), dialect="postgresql", role="all")
    assert wired == Wiring(web=True, leases=("evaluator",), workers=False)


def test_on_postgresql_with_workers_all_leads_both_and_each_role_its_own(tmp_path: Path) -> None:
    loaded = config(tmp_path, WORKERS)
    assert wiring(loaded, dialect="postgresql", role="all").leases == ("scheduler", "evaluator")
    assert wiring(loaded, dialect="postgresql", role="scheduler").leases == ("scheduler",)
    assert wiring(loaded, dialect="postgresql", role="evaluator").leases == ("evaluator",)
    assert wiring(loaded, dialect="postgresql", role="web") == Wiring(
        web=True, leases=(), workers=True
    )


def test_it_refuses_a_scheduler_without_workers(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no `workers:` regions"):
        wiring(config(tmp_path), dialect="postgresql", role="scheduler")


class Part:
    """A leased part that records how it ended, and writes through its fenced store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.ended: str | None = None
        self._done = asyncio.Event()

    async def run(self) -> None:
        await self._done.wait()

    def stop(self) -> None:
        self.ended = "stopped"
        self._done.set()

    def abandon(self) -> None:
        self.ended = "abandoned"
        self._done.set()


class Parts(list[Part]):
    """Each part started, in order: ``start`` is what ``lead`` calls in each term."""

    def start(self, fenced: Store) -> Part:
        self.append(Part(fenced))
        return self[-1]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    yield opened
    opened.close()


async def test_a_taken_lease_abandons_the_part_at_once_and_a_stop_releases_the_lease(
    store: Store,
) -> None:
    parts = Parts()
    stopping = asyncio.Event()
    leadership = Leadership(store, "evaluator", "me", ttl=TTL)
    leading = asyncio.create_task(lead(leadership, parts.start, stopping, ttl=TTL))
    await asyncio.wait_for(leadership.became_leader.wait(), 5)
    await _until(lambda: len(parts) == 1)
    fenced = parts[0].store
    later = datetime.now(UTC) + TTL * 2  # the lease has lapsed by then: another takes it
    assert await asyncio.to_thread(hold, store, "evaluator", "other", ttl=TTL * 10, now=later)
    await _until(lambda: parts[0].ended is not None)
    assert parts[0].ended == "abandoned"
    with pytest.raises(FencedOut, match="held by 'other'"), fenced.writing("write, fenced out"):
        pass
    assert len(parts) == 1 and not leading.done()  # standing by
    stopping.set()
    await asyncio.wait_for(leading, 5)
    held = current(store, "evaluator")
    assert held is not None and held.holder == "other"


async def test_a_stop_lets_the_part_finish_and_releases_the_lease_at_once(store: Store) -> None:
    parts = Parts()
    stopping = asyncio.Event()
    leadership = Leadership(store, "evaluator", "me", ttl=TTL * 10)
    leading = asyncio.create_task(lead(leadership, parts.start, stopping, ttl=TTL * 10))
    await _until(lambda: len(parts) == 1)
    stopping.set()
    await asyncio.wait_for(leading, 5)
    assert parts[0].ended == "stopped"
    held = current(store, "evaluator")
    assert held is not None and held.expires_at <= datetime.now(UTC)  # free for a standby


async def _until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` (within 5 s) while the event loop runs the leases and parts."""
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 - what is awaited is the code under test's
            await asyncio.sleep(0.02)


def test_a_replicas_metrics_are_those_of_the_parts_it_leads(tmp_path: Path, store: Store) -> None:
    loaded = config(tmp_path, WORKERS)
    wired = wiring(loaded, dialect="postgresql", role="all")
    cluster = Cluster(loaded, wired, store=store, environ={}, ttl=TTL)
    registry = CollectorRegistry()
    registry.register(LeadingMetrics(cluster))
    assert generate_latest(registry) == b""  # standing by: nothing of the leased parts
    evaluator = ServeRuntime(loaded, store=store, clock=SystemClock(), environ={}, services=())
    scheduler = Scheduler(loaded, store=store, clock=SystemClock())
    scheduler.counters.lost = 3
    cluster.running.update(evaluator=evaluator, scheduler=scheduler)
    shown = generate_latest(registry).decode()
    assert "golive_check_up" in shown and "golive_cycle_seconds" in shown
    samples = [line for line in shown.splitlines() if line.startswith("golive_dispatch_lost")]
    assert samples == ["golive_dispatch_lost_total 3.0"]  # the scheduler's, not the evaluator's
