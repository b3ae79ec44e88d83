"""The gate's ``backup:`` items read the newest restore drill: passed and fresh is GO."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from golive.backup.drill import run_drill
from golive.backup.run import run_backup
from golive.clock import ManualClock
from golive.config import LoadedConfig
from golive.engine import open_store
from golive.gate.run import run_gate
from tests.devkit.backup import backup_config

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
GATE = [{"name": "Backups restorable", "backup": "uploads", "fresh": "7d"}]


def setup(tmp_path: Path) -> LoadedConfig:
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "a.txt").write_text("a")
    return backup_config(
        tmp_path,
        {"name": "uploads", "files": {"paths": ["uploads"]}, "to": {"dir": "b"}},
        gate=GATE,
    )


async def test_the_item_is_no_go_before_a_drill_and_go_after_one(tmp_path: Path) -> None:
    loaded = setup(tmp_path)
    store = open_store(loaded)
    clock = ManualClock(START)
    before = await run_gate(loaded, store=store, clock=clock, environ={})
    (item,) = before.items
    assert (before.verdict, item.status) == ("NO-GO", "fail")
    assert item.reason == "no restore drill of uploads yet: golive backup verify uploads"
    await run_backup(loaded, "uploads", store=store, clock=clock, environ={})
    await run_drill(loaded, "uploads", store=store, clock=clock, environ={})
    clock.advance(timedelta(hours=2))
    after = await run_gate(loaded, store=store, clock=clock, environ={})
    assert after.verdict == "GO", after.items[0].reason
    assert after.items[0].reason.startswith("restore drill of uploads passed 2 hours ago")


async def test_a_drill_older_than_fresh_is_stale(tmp_path: Path) -> None:
    loaded = setup(tmp_path)
    store = open_store(loaded)
    clock = ManualClock(START)
    await run_backup(loaded, "uploads", store=store, clock=clock, environ={})
    await run_drill(loaded, "uploads", store=store, clock=clock, environ={})
    clock.advance(timedelta(days=8))
    report = await run_gate(loaded, store=store, clock=clock, environ={})
    assert (report.verdict, report.items[0].status) == ("NO-GO", "stale")


async def test_a_failed_drill_is_no_go_with_its_reason(tmp_path: Path) -> None:
    loaded = setup(tmp_path)
    store = open_store(loaded)
    clock = ManualClock(START)
    entry = await run_backup(loaded, "uploads", store=store, clock=clock, environ={})
    (tmp_path / "b" / entry.key / entry.files[0].path).write_bytes(b"changed")
    await run_drill(loaded, "uploads", store=store, clock=clock, environ={})
    report = await run_gate(loaded, store=store, clock=clock, environ={})
    assert report.verdict == "NO-GO"
    assert "failed 0 minutes ago: backup" in report.items[0].reason
    assert "is corrupt" in report.items[0].reason
