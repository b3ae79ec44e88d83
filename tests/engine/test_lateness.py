"""A timeout that fired while golive's own event loop was late is inconclusive, not a failure
of the target: the loop watch measures the lateness, the run says so."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from golive.clock import ManualClock
from golive.engine import run_checks
from golive.engine.lateness import LoopWatch, late_limit
from golive.engine.run import watching_the_loop
from tests.devkit.engine import config


class Seconds:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_the_watch_keeps_how_late_the_loop_woke() -> None:
    clock = Seconds()
    async with watching_the_loop(LoopWatch(monotonic=clock, interval=0.001)) as watch:
        await asyncio.sleep(0.01)
        started = clock.now
        clock.now += 2.0  # the loop stalled: time moved on while the watch slept
        await asyncio.sleep(0.01)
        assert watch.late_since(started) == pytest.approx(2.0, abs=0.01)
        assert watch.late_since(clock.now + 1) == 0.0  # nothing late after it


async def test_a_wake_up_still_overdue_counts_before_the_watch_runs() -> None:
    clock = Seconds()
    async with watching_the_loop(LoopWatch(monotonic=clock, interval=0.001)) as watch:
        await asyncio.sleep(0.01)
        started = clock.now
        clock.now += 1.5
        assert watch.late_since(started) == pytest.approx(1.5, abs=0.01)  # no await between


def test_the_limit_is_a_quarter_of_the_timeout_at_most_250ms() -> None:
    assert late_limit(0.4) == pytest.approx(0.1)
    assert late_limit(10) == pytest.approx(0.25)


def slow_check(port: int) -> str:
    return f"""
    - name: slow
      http: {{url: "http://127.0.0.1:{port}/"}}
      timeout: 500ms
    """


async def test_a_timeout_while_golive_was_blocked_is_inconclusive(
    tmp_path: Path, silent_port: int
) -> None:
    loaded = config(tmp_path, slow_check(silent_port))
    asyncio.get_running_loop().call_later(0.1, time.sleep, 1.5)  # golive stalls 1.5 s
    (result,) = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    assert result.inconclusive
    assert result.late_ms is not None and result.late_ms >= 1000
    assert result.error is not None and result.error.startswith("timed out after 500ms while")
    assert result.as_dict()["inconclusive"] is True
    assert result.evidence().values["inconclusive"] is True


async def test_a_timeout_of_a_slow_target_is_a_failure(tmp_path: Path, silent_port: int) -> None:
    loaded = config(tmp_path, slow_check(silent_port))
    (result,) = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    assert not result.ok
    assert not result.inconclusive
    assert result.error == "timed out after 500ms"
