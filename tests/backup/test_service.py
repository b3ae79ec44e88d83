"""The backup service of `golive serve`: backups on their schedule, drills on verify.every,
and a restart that continues the schedule from the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from golive.clock import ManualClock
from golive.config import LoadedConfig
from golive.config.ship import Backup
from golive.engine import open_store
from golive.records import DRILL_EVIDENCE
from golive.serve.backups import due, make
from golive.serve.services import Service
from golive.store import Store
from golive.store.backups import backups
from tests.devkit.backup import backup_config
from tests.devkit.services import service_context

START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def service(loaded: LoadedConfig, store: Store, clock: ManualClock) -> Service:
    made = make(service_context(store, lambda: loaded, clock))
    assert made is not None
    return made


async def test_backups_follow_every_and_drills_follow_verify_every_across_a_restart(
    tmp_path: Path,
) -> None:
    (tmp_path / "data").mkdir()
    loaded = backup_config(
        tmp_path,
        {
            "name": "data",
            "files": {"paths": ["data"]},
            "to": {"dir": "b"},
            "every": "1h",
            "verify": {"every": "1d"},
            "retention": {"last": 10},
        },
    )
    store = open_store(loaded)
    clock = ManualClock(START)
    first = service(loaded, store, clock)
    await first.tick(clock.now())
    assert len(backups(store, loaded.environment)) == 1
    drill = store.latest(DRILL_EVIDENCE, "data")
    assert drill is not None and drill.ok
    clock.advance(timedelta(minutes=59))
    await first.tick(clock.now())
    assert len(backups(store, loaded.environment)) == 1
    restarted = service(loaded, store, clock)  # a new process: its schedule comes from the store
    clock.advance(timedelta(minutes=1))
    await restarted.tick(clock.now())
    assert len(backups(store, loaded.environment)) == 2
    assert store.latest(DRILL_EVIDENCE, "data") == drill  # the next drill is due in a day
    clock.advance(timedelta(days=1))
    await restarted.tick(clock.now())
    newer = store.latest(DRILL_EVIDENCE, "data")
    assert newer is not None and newer.taken_at == clock.now()


def test_no_service_without_a_schedule_or_drills(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    loaded = backup_config(
        tmp_path, {"name": "data", "files": {"paths": ["data"]}, "to": {"dir": "b"}}
    )
    assert make(service_context(open_store(loaded), lambda: loaded, ManualClock(START))) is None


def test_a_cron_backup_waits_for_its_time_not_for_the_start() -> None:
    spec = Backup.model_validate(
        {"name": "db", "files": {"paths": ["x"]}, "to": {"dir": "b"}, "cron": "0 3 * * *"}
    )
    started = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    assert not due(spec, None, started + timedelta(hours=17), started)
    assert due(spec, None, started + timedelta(hours=18), started)
    last = datetime(2026, 6, 2, 3, 0, tzinfo=UTC)
    assert not due(spec, last, last + timedelta(hours=23), started)
    assert due(spec, last, last + timedelta(hours=24), started)
