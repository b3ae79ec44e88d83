"""The serve cycle: nothing is lost when the store is locked, and alerts follow states."""

from __future__ import annotations

import sqlite3
import textwrap
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from golive.clock import ManualClock
from golive.config import load_config
from golive.engine.results import CheckResult
from golive.serve.runtime import ServeRuntime
from golive.store import Store, history, normalise_url
from golive.store.alerts import list_alerts
from golive.store.state import load_statuses
from golive.store.tables_monitor import AlertEvent
from golive.store.uptime import daily_totals

CONFIG = """\
version: 1
project: shop
checks:
  - {name: web, tcp: {host: 127.0.0.1, port: 1}, fail_after: 2}
"""


def runtime(tmp_path: Path, *, busy_timeout: float = 30.0) -> tuple[ServeRuntime, ManualClock]:
    path = tmp_path / "golive.yaml"
    path.write_text(textwrap.dedent(CONFIG))
    loaded = load_config(path, environ={})
    store = Store.open(normalise_url("sqlite:///golive.db", tmp_path), busy_timeout=busy_timeout)
    clock = ManualClock()
    return ServeRuntime(loaded, store=store, clock=clock, environ={}), clock


def result(ok: bool, clock: ManualClock) -> CheckResult:
    return CheckResult(
        "web",
        None,
        "tcp",
        "127.0.0.1:1",
        ok,
        1.0,
        None if ok else "connection refused",
        (),
        {},
        clock.now(),
    )


async def test_results_survive_a_locked_store_and_are_written_by_a_later_cycle(
    tmp_path: Path,
) -> None:
    serve, clock = runtime(tmp_path, busy_timeout=0.1)
    locker = sqlite3.connect(tmp_path / "golive.db", timeout=0)
    locker.execute("BEGIN EXCLUSIVE")
    serve.engine.submit(result(True, clock))
    await serve.cycle()
    assert serve.metrics.cycle_errors.labels("store")._value.get() >= 1  # type: ignore[attr-defined]
    locker.rollback()
    locker.close()
    clock.advance(timedelta(seconds=1))
    await serve.cycle()
    assert load_statuses(serve.store)["web"].state == "up"


async def test_a_check_that_goes_down_opens_an_alert_and_recovery_resolves_it(
    tmp_path: Path,
) -> None:
    serve, clock = runtime(tmp_path)
    for ok in (True, False, False):
        clock.advance(timedelta(seconds=30))
        serve.engine.submit(result(ok, clock))
        await serve.cycle()
    (alert,) = list_alerts(serve.store, state="firing")
    assert alert.check == "web"
    clock.advance(timedelta(seconds=30))
    serve.engine.submit(result(True, clock))
    await serve.cycle()
    assert list_alerts(serve.store, state="firing") == []


async def test_the_open_hour_is_stored_within_a_minute_and_added_to_as_it_goes(
    tmp_path: Path,
) -> None:
    serve, clock = runtime(tmp_path)
    clock.set(clock.now().replace(minute=30, second=0, microsecond=0))
    await serve.cycle()  # nothing to store yet
    for ok in (True, False, True):
        serve.engine.submit(result(ok, clock))
    await serve.cycle()
    today, hour = clock.now().date(), clock.now().replace(minute=0)
    assert [(b.check, b.start, b.runs, b.failures) for b in serve.unsaved_rollups("hour")] == [
        ("web", hour, 3, 1)
    ]
    assert [b.runs for b in serve.unsaved_rollups("minute", "web")] == [3]
    assert serve.unsaved_rollups("minute", "other") == []
    assert daily_totals(serve.store, start=_midnight(clock), end=_midnight(clock, 1)) == []

    clock.advance(timedelta(minutes=1))  # a minute later, the open hour so far is stored
    await serve.cycle()
    assert serve.unsaved_rollups("hour") == []
    assert stored_hour(serve, hour) == (3, 1)
    serve.engine.submit(result(False, clock))
    await serve.cycle()
    assert [(b.runs, b.failures) for b in serve.unsaved_rollups("hour")] == [(1, 1)]

    clock.advance(timedelta(minutes=30))  # the hour closes: the rest is added, not repeated
    await serve.cycle()
    assert serve.unsaved_rollups("hour") == []
    assert stored_hour(serve, hour) == (4, 2)
    totals = daily_totals(serve.store, start=_midnight(clock), end=_midnight(clock, 1))
    assert [(t.check, t.day, t.runs, t.failures) for t in totals] == [("web", today, 4, 2)]


async def test_a_crash_loses_at_most_the_last_minute_of_counts(tmp_path: Path) -> None:
    serve, clock = runtime(tmp_path)
    clock.set(clock.now().replace(minute=10, second=0, microsecond=0))
    hour = clock.now().replace(minute=0)
    for _ in range(20):  # 20 runs over 10 minutes, stored as they go
        clock.advance(timedelta(seconds=30))
        serve.engine.submit(result(True, clock))
        await serve.cycle()
    serve.engine.submit(result(False, clock))  # in the minute not stored yet: lost
    await serve.cycle()
    # kill -9: no stop(), no final cycle; a new process opens the same store
    again, clock = runtime(tmp_path)
    clock.set(hour + timedelta(minutes=20, seconds=30))
    again.engine.submit(result(True, clock))
    await again.cycle()
    clock.advance(timedelta(hours=1))
    await again.cycle()
    # 20 stored before the crash, the failure of the minute not stored lost, 1 after: none twice
    assert stored_hour(again, hour) == (21, 0)
    minutes = history.rollups(
        again.store, "web", resolution="minute", start=hour, end=hour + timedelta(hours=1)
    )
    # the minute of the crash (its two runs) is lost; the minute after holds the new run
    assert [(m.bucket.minute, m.runs) for m in minutes][-2:] == [(19, 2), (20, 1)]
    assert sum(m.runs for m in minutes) == 20


def stored_hour(serve: ServeRuntime, hour: datetime) -> tuple[int, int]:
    (row,) = history.rollups(
        serve.store, "web", resolution="hour", start=hour, end=hour + timedelta(hours=1)
    )
    return row.runs, row.failures


def _midnight(clock: ManualClock, days: int = 0) -> datetime:
    return clock.now().replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=days)


async def test_alerts_are_not_evaluated_again_while_nothing_can_change_them(
    tmp_path: Path,
) -> None:
    serve, clock = runtime(tmp_path, busy_timeout=0.1)
    serve.engine.submit(result(True, clock))
    await serve.cycle()  # evaluated: no alert pending or firing
    errors = serve.metrics.cycle_errors.labels("alerts")
    locker = sqlite3.connect(tmp_path / "golive.db", timeout=0)
    locker.execute("BEGIN EXCLUSIVE")  # an evaluation now would fail and be counted
    try:
        clock.advance(timedelta(seconds=1))
        await serve.cycle()  # no result: nothing to evaluate
        assert errors._value.get() == 0  # type: ignore[attr-defined]
        serve.engine.submit(result(False, clock))
        await serve.cycle()  # a result: evaluated (and failing on the lock)
        assert errors._value.get() == 1  # type: ignore[attr-defined]
    finally:
        locker.rollback()
        locker.close()


async def test_inconclusive_runs_leave_the_state_up_open_no_alert_and_stay_out_of_rollups(
    tmp_path: Path,
) -> None:
    serve, clock = runtime(tmp_path)
    clock.advance(timedelta(seconds=30))
    serve.engine.submit(result(True, clock))
    await serve.cycle()
    for _ in range(3):  # fail_after is 2
        clock.advance(timedelta(seconds=30))
        late = replace(result(False, clock), error="timed out after 1s while ...", late_ms=1500.0)
        serve.engine.submit(late)
        await serve.cycle()
    assert load_statuses(serve.store)["web"].state == "up"
    assert list_alerts(serve.store, state="firing") == []
    assert serve.latest["web"].ok
    hour = clock.now().replace(minute=0, second=0, microsecond=0)
    unsaved = [(b.runs, b.failures) for b in serve.unsaved_rollups("hour", "web")]
    assert [stored_hour(serve, hour), *unsaved] == [(1, 0)]  # stored within the minute


async def test_old_resolved_alerts_are_pruned_beside_the_cycles(tmp_path: Path) -> None:
    serve, clock = runtime(tmp_path)
    for ok in (True, False, False, True):  # an alert fires and resolves
        clock.advance(timedelta(seconds=30))
        serve.engine.submit(result(ok, clock))
        await serve.cycle()
    assert len(list_alerts(serve.store, state="resolved")) == 1
    clock.advance(timedelta(days=91))  # past server.retention.alerts (90 days)
    await serve.cycle()
    pruning = serve._pruning
    assert pruning is not None  # the cycle returned while the pass runs in a thread
    await pruning
    assert list_alerts(serve.store) == []
    with serve.store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(AlertEvent)).scalar() == 0
