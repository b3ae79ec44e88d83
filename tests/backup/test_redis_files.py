"""Redis (RDB) and file (tar) backups to a directory, their drills and restores."""

from __future__ import annotations

from pathlib import Path

import redis

from golive.backup.drill import restore, run_drill
from golive.backup.run import run_backup
from golive.clock import SystemClock
from golive.engine import open_store
from tests.devkit.backup import backup_config


async def test_a_redis_backup_holds_the_rdb_and_the_key_count(tmp_path: Path, redis_server) -> None:  # type: ignore[no-untyped-def]
    url = f"redis://127.0.0.1:{redis_server.port}/0"
    client = redis.Redis.from_url(url)
    client.flushall()
    client.mset({f"k{i}": i for i in range(100)})
    loaded = backup_config(tmp_path, {"name": "cache", "redis": {"url": url}, "to": {"dir": "b"}})
    store = open_store(loaded)
    clock = SystemClock()
    entry = await run_backup(loaded, "cache", store=store, clock=clock, environ={})
    assert entry.state == "good" and entry.source["keys"] == 100
    assert (tmp_path / "b" / entry.key / "dump.rdb").read_bytes()[:5] == b"REDIS"
    report = await run_drill(loaded, "cache", store=store, clock=clock, environ={})
    assert report.ok, report.reason


async def test_a_cut_rdb_fails_the_drill(tmp_path: Path, redis_server) -> None:  # type: ignore[no-untyped-def]
    url = f"redis://127.0.0.1:{redis_server.port}/0"
    loaded = backup_config(tmp_path, {"name": "cache", "redis": {"url": url}, "to": {"dir": "b"}})
    store = open_store(loaded)
    clock = SystemClock()
    entry = await run_backup(loaded, "cache", store=store, clock=clock, environ={})
    (tmp_path / "b" / entry.key / "dump.rdb").write_bytes(b"REDIS0011")
    report = await run_drill(loaded, "cache", store=store, clock=clock, environ={})
    assert not report.ok and "dump.rdb is 9 bytes" in report.reason


async def test_files_back_up_as_a_tar_and_restore_into_a_new_folder(tmp_path: Path) -> None:
    uploads = tmp_path / "uploads"
    (uploads / "2026").mkdir(parents=True)
    (uploads / "2026" / "a.txt").write_text("alpha")
    (uploads / "b.txt").write_text("beta")
    loaded = backup_config(
        tmp_path, {"name": "uploads", "files": {"paths": ["uploads"]}, "to": {"dir": "b"}}
    )
    store = open_store(loaded)
    clock = SystemClock()
    entry = await run_backup(loaded, "uploads", store=store, clock=clock, environ={})
    assert entry.source["members"] == 4
    report = await run_drill(loaded, "uploads", store=store, clock=clock, environ={})
    assert report.ok, report.reason
    into = tmp_path / "restored"
    await restore(loaded, "uploads", into=str(into), store=store, clock=clock, environ={})
    assert (into / "uploads" / "2026" / "a.txt").read_text() == "alpha"
