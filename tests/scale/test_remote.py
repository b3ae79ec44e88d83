"""The dispatcher's skips and give-ups, and the evaluator's rounds over a real inbox
(PostgreSQL): one verdict per round, and a restart neither loses nor recounts a result."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from golive.clock import ManualClock
from golive.config import LoadedConfig, load_config
from golive.engine.results import CheckResult
from golive.scale.dispatch import Dispatcher, Round
from golive.scale.payload import from_payload, to_payload
from golive.scale.remote import RemoteEngine
from golive.store import Store, normalise_url
from golive.store.scale import InboxEntry, add_results, read_results
from golive.store.state import flush

CONFIG = """\
version: 1
project: shop
workers: {broker: "redis://127.0.0.1:1/0", regions: [a, b]}
checks:
  - name: site
    http: {url: "http://127.0.0.1:1/"}
    every: 10s
    timeout: 2s
"""
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedConfig:
    path = tmp_path / "golive.yaml"
    path.write_text(CONFIG)
    return load_config(path, environ={})


@pytest.fixture
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    postgres = request.getfixturevalue("postgres_server")
    url = postgres.create_database(f"remote_{abs(hash(tmp_path)) % 10**8}")
    opened = Store.open(normalise_url(url, tmp_path))
    yield opened
    opened.close()


def result(ok: bool) -> CheckResult:
    return CheckResult(
        name="site",
        component=None,
        kind="http",
        target="http://127.0.0.1:1/",
        ok=ok,
        latency_ms=12.5,
        error=None if ok else "refused",
        failed=(),
        fields={"status": 200 if ok else None},
        taken_at=NOW,
    )


def entry(region: str, dispatch: str, ok: bool) -> InboxEntry:
    return InboxEntry("site", region, dispatch, to_payload(result(ok)), NOW, NOW)


def test_a_payload_comes_back_as_the_same_result() -> None:
    assert from_payload(to_payload(result(False))) == result(False)


def test_an_unanswered_region_is_skipped_then_given_up(loaded: LoadedConfig) -> None:
    dispatcher = Dispatcher(loaded, start=0.0)
    first = dispatcher.plan(100.0)
    assert sorted(b.region for b in first.batches) == ["a", "b"]
    assert len(first.rounds) == 1 and first.rounds[0].regions == ("a", "b")
    for batch in first.batches:
        dispatcher.sent(batch, ok=True)
    dispatcher.answered("site", "a")  # b never answers
    second = dispatcher.plan(dispatcher.next_wakeup() or 0.0)
    assert [b.region for b in second.batches] == ["a"]
    assert dispatcher.counters.skipped == 1
    third = dispatcher.plan(100.0 + 12.5)  # timeout + every after the first: b is given up
    assert dispatcher.counters.lost >= 1
    assert third.batches == [] or "b" not in {b.region for b in third.batches}
    following = dispatcher.plan(dispatcher.next_wakeup() or 0.0)
    assert "b" in {b.region for b in following.batches}


def test_a_failed_send_frees_the_region_for_the_next_slot(loaded: LoadedConfig) -> None:
    dispatcher = Dispatcher(loaded, start=0.0)
    for batch in dispatcher.plan(100.0).batches:
        dispatcher.sent(batch, ok=False)
    assert dispatcher.counters.send_failures == 2
    assert len(dispatcher.plan(dispatcher.next_wakeup() or 0.0).batches) == 2


def test_a_round_gives_one_verdict_and_a_restart_rereads_only_what_was_not_stored(
    loaded: LoadedConfig, store: Store
) -> None:
    clock = ManualClock(NOW)
    engine = RemoteEngine(loaded, store=store, clock=clock)
    add_results(store, [entry("a", "d1", True), entry("b", "d1", False)])
    engine.receive(engine.inbox.read(), now=0.0)
    [verdict] = engine.drain()
    assert verdict.ok and verdict.fields["regions"] == {"a": "ok", "b": "fail"}
    consumed = engine.consumed()
    assert len(consumed) == 2
    flush(store, environment="default", statuses=[], evidence=[], buckets=[], consumed=consumed)
    assert read_results(store, after=0) == []

    add_results(store, [entry("a", "d2", False), entry("b", "d2", False)])
    engine.receive(engine.inbox.read(), now=1.0)
    assert not engine.drain()[0].ok
    engine.consumed()  # drained, but the process dies before its cycle stores it

    restarted = RemoteEngine(loaded, store=store, clock=clock)
    restarted.receive(restarted.inbox.read(), now=2.0)
    [again] = restarted.drain()  # the unstored round, judged again, once
    assert not again.ok and again.error is not None and "a: refused; b: refused" in again.error


def test_a_round_with_a_silent_region_closes_when_its_time_is_up(
    loaded: LoadedConfig, store: Store
) -> None:
    engine = RemoteEngine(loaded, store=store, clock=ManualClock(NOW))
    add_results(store, [entry("a", "d3", True)])
    engine.receive(engine.inbox.read(), now=0.0)
    assert engine.drain() == []  # b may still answer
    engine.close_due(10.0)
    [verdict] = engine.drain()
    assert verdict.ok and verdict.fields["regions"] == {"a": "ok", "b": "stale"}


def test_a_row_committed_late_with_a_lower_id_is_still_read(store: Store) -> None:
    from sqlalchemy import insert

    from golive.scale.remote import Inbox
    from golive.store.tables_scale import ProbeResultRow

    def write(row_id: int, dispatch: str) -> None:
        values = {**vars(entry("a", dispatch, True)), "id": row_id}
        with store.writing("test") as connection:
            connection.execute(insert(ProbeResultRow), [values])

    inbox = Inbox(store)
    write(5, "d5")
    assert [e.dispatch for e in inbox.read()] == ["d5"]
    write(3, "d3")  # a worker whose transaction took id 3 committed only now
    assert [e.dispatch for e in inbox.read()] == ["d3"]
    assert inbox.read() == []
    flush(store, environment="default", statuses=[], evidence=[], buckets=[], consumed=[3, 5])
    write(4, "d4")
    assert [e.dispatch for e in inbox.read()] == ["d4"]
    assert [e.dispatch for e in Inbox(store).read()] == ["d4"]  # a restart reads what is left


def test_a_round_no_region_answered_gives_no_verdict(loaded: LoadedConfig, store: Store) -> None:
    engine = RemoteEngine(loaded, store=store, clock=ManualClock(NOW))
    add_results(store, [entry("a", "d6", True), entry("b", "d6", True)])
    engine.receive(engine.inbox.read(), now=0.0)
    assert len(engine.drain()) == 1
    due = Round("d7", loaded.config.check("site"), ("a", "b"), 100.0)  # sent, or not (broker
    engine.open_round(due, now=100.0)
    engine.close_due(200.0)  # down): nobody answered, and no earlier run is repeated
    assert engine.drain() == []


def test_a_broker_that_is_down_counts_send_failures_and_frees_the_runs(
    loaded: LoadedConfig, store: Store
) -> None:
    engine = RemoteEngine(loaded, store=store, clock=ManualClock(NOW))  # broker on port 1
    engine.dispatcher = Dispatcher(loaded, start=0.0)
    plan = engine.dispatcher.plan(100.0)
    started = time.monotonic()
    engine._send(plan.batches)
    assert time.monotonic() - started < 10  # one wait on the broker, not one per batch
    assert engine.counters.send_failures == 2 == engine.dispatcher.counters.send_failures
    assert len(engine.dispatcher.plan(engine.dispatcher.next_wakeup() or 0.0).batches) == 2
