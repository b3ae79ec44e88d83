"""Grandfather-father-son retention, and ``prune`` deleting files and entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from golive.backup.retention import kept, to_delete
from golive.backup.run import prune, run_backup
from golive.clock import ManualClock
from golive.config.ship import Retention
from golive.engine import open_store
from golive.records import BackupEntry
from golive.store import backups as catalog
from tests.devkit.backup import backup_config

START = datetime(2026, 3, 31, 23, 0, tzinfo=UTC)  # a Tuesday


def entry(i: int, at: datetime, state: str = "good", verified: bool | None = None) -> BackupEntry:
    return BackupEntry(
        i, "db", "staging", "postgres", "dir:/b", f"db/{i}", state, at, verified=verified
    )  # type: ignore[arg-type]


def every_six_hours(days: int) -> list[BackupEntry]:
    return [entry(i, START - timedelta(hours=6 * i)) for i in range(days * 4)]


def test_last_keeps_the_newest_n() -> None:
    entries = every_six_hours(2)
    keep = kept(entries, Retention(last=3, daily=0, weekly=0, monthly=0))
    assert sorted(keep) == [0, 1, 2]


def test_daily_keeps_the_newest_backup_of_each_of_the_newest_days() -> None:
    entries = every_six_hours(10)
    keep = kept(entries, Retention(last=1, daily=3, weekly=0, monthly=0))
    # 0: Mar 31 23:00; the newest of Mar 30 is 4 (Mar 30 23:00); of Mar 29 is 8
    assert sorted(keep) == [0, 4, 8]


def test_weekly_and_monthly_reach_back_over_the_daily_ones() -> None:
    entries = every_six_hours(70)
    keep = kept(entries, Retention(last=1, daily=0, weekly=2, monthly=3))
    days = sorted({entries[i].started_at.date() for i in keep}, reverse=True)
    # this week's newest (Tue Mar 31), last week's (Sun Mar 29); Feb 28 and Jan 31: month ends
    assert [d.isoformat() for d in days] == ["2026-03-31", "2026-03-29", "2026-02-28", "2026-01-31"]


def test_the_newest_verified_backup_is_never_deleted() -> None:
    entries = every_six_hours(3)
    entries[7] = entry(7, entries[7].started_at, verified=True)
    doomed = to_delete(entries, Retention(last=2, daily=0, weekly=0, monthly=0))
    assert 7 not in {e.id for e in doomed}
    assert {e.id for e in doomed} == set(range(12)) - {0, 1, 7}


def test_failed_entries_older_than_the_newest_good_go_running_ones_stay() -> None:
    entries = [
        entry(3, START, "failed"),
        entry(2, START - timedelta(hours=1)),
        entry(1, START - timedelta(hours=2), "failed"),
        entry(0, START - timedelta(hours=3), "running"),
    ]
    doomed = to_delete(entries, Retention(last=4))
    assert [e.id for e in doomed] == [1]


async def test_prune_deletes_files_and_entries_and_dry_run_only_says_so(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_text("a")
    loaded = backup_config(
        tmp_path,
        {
            "name": "data",
            "files": {"paths": ["data"]},
            "to": {"dir": "b"},
            "retention": {"last": 2, "daily": 0, "weekly": 0, "monthly": 0},
        },
    )
    store = open_store(loaded)
    clock = ManualClock(START)
    for _ in range(4):
        await run_backup(
            loaded, "data", store=store, clock=clock, environ={}, apply_retention=False
        )
        clock.advance(timedelta(hours=6))
    planned = await prune(loaded, "data", store=store, environ={}, dry_run=True)
    assert len(planned) == 2
    assert len(catalog.backups(store, loaded.environment)) == 4
    deleted = await prune(loaded, "data", store=store, environ={})
    assert [e.id for e in deleted] == [e.id for e in planned]
    left = catalog.backups(store, loaded.environment)
    assert len(left) == 2
    assert sorted(p.name for p in (tmp_path / "b" / "data").iterdir()) == sorted(
        e.key.split("/")[1] for e in left
    )


async def test_retention_runs_after_each_good_backup(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    loaded = backup_config(
        tmp_path,
        {
            "name": "data",
            "files": {"paths": ["data"]},
            "to": {"dir": "b"},
            "retention": {"last": 1, "daily": 0, "weekly": 0, "monthly": 0},
        },
    )
    store = open_store(loaded)
    clock = ManualClock(START)
    for _ in range(3):
        await run_backup(loaded, "data", store=store, clock=clock, environ={})
        clock.advance(timedelta(hours=1))
    assert len(catalog.backups(store, loaded.environment)) == 1
