"""The scheduler spreads checks over their interval and never queues missed runs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from golive.config import LoadedConfig, load_config
from golive.engine.scheduler import FIRST_RUN_RATE, FIRST_RUN_SPREAD, Scheduler


def many_checks(tmp_path: Path, count: int, every: str = "30s") -> LoadedConfig:
    lines = [
        f"  - {{name: c{i}, tcp: {{host: 127.0.0.1, port: 1}}, every: {every}, timeout: 1s}}"
        for i in range(count)
    ]
    path = tmp_path / "golive.yaml"
    path.write_text("version: 1\nproject: shop\nchecks:\n" + "\n".join(lines) + "\n")
    return load_config(path, environ={})


def test_every_check_runs_once_soon_after_start(tmp_path: Path) -> None:
    loaded = many_checks(tmp_path, 200)
    scheduler = Scheduler(loaded.config.checks, start=1000.0)
    due = scheduler.due(1000.0 + FIRST_RUN_SPREAD)
    assert sorted(d.check.name for d in due) == sorted(c.name for c in loaded.config.checks)


def test_a_large_config_starts_without_a_burst(tmp_path: Path) -> None:
    loaded = many_checks(tmp_path, 3000)
    scheduler = Scheduler(loaded.config.checks, start=0.0)
    start_up = int(3000 / FIRST_RUN_RATE)
    per_second = [len(scheduler.due(float(second))) for second in range(1, start_up + 1)]
    assert sum(per_second) >= 3000  # each check once (a few reach their regular slot too)
    assert max(per_second) <= FIRST_RUN_RATE * 1.3, per_second


def test_later_runs_are_spread_evenly_over_the_interval(tmp_path: Path) -> None:
    loaded = many_checks(tmp_path, 3000)
    scheduler = Scheduler(loaded.config.checks, start=0.0)
    first = len(scheduler.due(3000 / FIRST_RUN_RATE))  # a large config starts at a bounded rate
    assert first == 3000
    per_second: Counter[int] = Counter()
    scheduler.due(45.0)  # past the start-up and the first interval: the steady state
    for second in range(46, 76):
        per_second[second] = len(scheduler.due(float(second)))
    assert sum(per_second.values()) == 3000
    assert max(per_second.values()) < 3000 / 30 * 1.5, per_second


def test_a_check_runs_again_one_interval_later(tmp_path: Path) -> None:
    loaded = many_checks(tmp_path, 1, every="10s")
    scheduler = Scheduler(loaded.config.checks, start=0.0)
    (first,) = scheduler.due(FIRST_RUN_SPREAD)
    assert scheduler.due(first.at + 0.5) == []
    second_at = scheduler.next_wakeup()
    assert second_at is not None
    (second,) = scheduler.due(second_at)
    third_at = scheduler.next_wakeup()
    assert third_at == pytest.approx(second.at + 10)


def test_missed_slots_are_skipped_not_queued(tmp_path: Path) -> None:
    loaded = many_checks(tmp_path, 1, every="1s")
    scheduler = Scheduler(loaded.config.checks, start=0.0)
    scheduler.due(FIRST_RUN_SPREAD)
    assert len(scheduler.due(100.0)) == 1
    assert scheduler.next_wakeup() is not None and 100.0 < scheduler.next_wakeup() <= 101.0  # type: ignore[operator]


def test_a_reload_keeps_the_place_of_unchanged_checks(tmp_path: Path) -> None:
    loaded = many_checks(tmp_path, 5)
    scheduler = Scheduler(loaded.config.checks, start=0.0)
    scheduler.due(FIRST_RUN_SPREAD)
    before = scheduler.next_wakeup()
    scheduler.replace(loaded.config.checks[:3], now=5.0)
    assert len(scheduler) == 3
    assert scheduler.next_wakeup() is not None and scheduler.next_wakeup() >= (before or 0)  # type: ignore[operator]
