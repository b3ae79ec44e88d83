"""PostgreSQL logical backups to a directory, drills, corruption and bad input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from golive.backup.drill import run_drill
from golive.backup.run import run_backup
from golive.clock import SystemClock
from golive.config import LoadedConfig
from golive.engine import open_store
from golive.exceptions import BackupError
from golive.store import backups as catalog
from tests.devkit.backup import backup_config

EXPECT = [
    "SELECT count(*) > 0 FROM facilities",
    "SELECT count(*) = 0 FROM pg_constraint WHERE contype = 'f' AND NOT convalidated",
]


def config(
    tmp_path: Path, dsn: str, *, jobs: int = 1, expect: list[str] = EXPECT, **more: Any
) -> LoadedConfig:
    backup = {
        "name": "main-db",
        "postgres": {"dsn": dsn, "jobs": jobs},
        "to": {"dir": "backups"},
        "rto": "1h",
        "verify": {"expect": expect},
        **more,
    }
    return backup_config(tmp_path, backup)


async def test_a_backup_is_good_with_checksums_and_the_sources_row_counts(
    tmp_path: Path, pgbench_dsn: str
) -> None:
    loaded = config(tmp_path, pgbench_dsn)
    store = open_store(loaded)
    entry = await run_backup(loaded, "main-db", store=store, clock=SystemClock(), environ={})
    assert entry.state == "good"
    assert entry.source["tables"]["public.pgbench_accounts"] == 300_000
    assert entry.source["foreign_keys"] == 5  # pgbench --foreign-keys
    (file,) = entry.files
    stored = tmp_path / "backups" / entry.key / file.path
    assert stored.stat().st_size == file.size == entry.size > 0
    assert len(file.sha256) == 64


async def test_a_drill_restores_into_a_scratch_database_checks_it_and_drops_it(
    tmp_path: Path, pgbench_dsn: str
) -> None:
    import psycopg

    loaded = config(tmp_path, pgbench_dsn, jobs=2)
    store = open_store(loaded)
    clock = SystemClock()
    await run_backup(loaded, "main-db", store=store, clock=clock, environ={})
    report = await run_drill(loaded, "main-db", store=store, clock=clock, environ={})
    assert report.ok, report.reason
    names = {c.name for c in report.checks}
    assert {"rows public.pgbench_accounts", "foreign keys", "expect 1", "expect 2", "rto"} <= names
    with psycopg.connect(pgbench_dsn) as conn:
        left = conn.execute(
            "SELECT count(*) FROM pg_database WHERE datname LIKE 'golive_drill_%'"
        ).fetchone()
    assert left == (0,)
    evidence = store.latest("backup_drill", "main-db")
    assert evidence is not None and evidence.ok
    (entry,) = catalog.backups(store, loaded.environment, name="main-db")
    assert entry.verified is True


async def test_a_file_altered_after_the_backup_marks_it_corrupt_and_fails_the_drill(
    tmp_path: Path, pgbench_dsn: str
) -> None:
    loaded = config(tmp_path, pgbench_dsn)
    store = open_store(loaded)
    clock = SystemClock()
    entry = await run_backup(loaded, "main-db", store=store, clock=clock, environ={})
    stored = tmp_path / "backups" / entry.key / entry.files[0].path
    with stored.open("r+b") as handle:
        handle.seek(entry.size // 2)
        handle.write(b"\x00garbage\x00")
    report = await run_drill(loaded, "main-db", store=store, clock=clock, environ={})
    assert not report.ok
    assert "does not match its SHA-256" in report.reason
    assert catalog.backup(store, entry.id).state == "corrupt"  # type: ignore[union-attr]


async def test_a_truncated_backup_file_is_corrupt(tmp_path: Path, pgbench_dsn: str) -> None:
    loaded = config(tmp_path, pgbench_dsn)
    store = open_store(loaded)
    clock = SystemClock()
    entry = await run_backup(loaded, "main-db", store=store, clock=clock, environ={})
    stored = tmp_path / "backups" / entry.key / entry.files[0].path
    with stored.open("r+b") as handle:
        handle.truncate(entry.size // 3)
    report = await run_drill(loaded, "main-db", store=store, clock=clock, environ={})
    assert not report.ok and f"{entry.size // 3} bytes" in report.reason


async def test_a_wrong_dsn_fails_clearly_and_no_good_entry_is_left(
    tmp_path: Path, pgbench_dsn: str
) -> None:
    wrong = pgbench_dsn.rsplit("/", 1)[0] + "/no_such_db"
    loaded = config(tmp_path, wrong)
    store = open_store(loaded)
    with pytest.raises(BackupError, match=r"cannot connect to no_such_db on 127\.0\.0\.1"):
        await run_backup(loaded, "main-db", store=store, clock=SystemClock(), environ={})
    (entry,) = catalog.backups(store, loaded.environment, name="main-db")
    assert entry.state == "failed" and "no_such_db" in (entry.error or "")
    assert list((tmp_path / "backups" / "main-db").iterdir()) == []


async def test_an_expect_that_is_not_valid_sql_fails_the_drill_with_the_error(
    tmp_path: Path, pgbench_dsn: str
) -> None:
    loaded = config(tmp_path, pgbench_dsn, expect=["SELEKT 1"])
    store = open_store(loaded)
    clock = SystemClock()
    await run_backup(loaded, "main-db", store=store, clock=clock, environ={})
    report = await run_drill(loaded, "main-db", store=store, clock=clock, environ={})
    assert not report.ok
    (failed,) = report.failed
    assert failed.name == "expect 1" and "syntax error" in failed.detail


async def test_the_drill_never_writes_the_source_database(tmp_path: Path, pgbench_dsn: str) -> None:
    import psycopg

    writes = ["SELECT count(*) = 0 FROM (SELECT 1 FROM facilities FOR UPDATE) t"]
    loaded = config(tmp_path, pgbench_dsn, expect=writes)
    store = open_store(loaded)
    clock = SystemClock()
    entry = await run_backup(loaded, "main-db", store=store, clock=clock, environ={})
    with psycopg.connect(pgbench_dsn) as conn:
        before = conn.execute("SELECT xmin::text, count(*) FROM facilities GROUP BY 1").fetchall()
    report = await run_drill(loaded, "main-db", store=store, clock=clock, environ={})
    assert report.scratch is not None and report.scratch.startswith("golive_drill_main_db_")
    assert report.scratch != entry.source["database"]
    # expect runs read-only in the scratch copy: a locking read is refused there, not run here
    assert "read-only transaction" in report.failed[0].detail
    with psycopg.connect(pgbench_dsn) as conn:
        after = conn.execute("SELECT xmin::text, count(*) FROM facilities GROUP BY 1").fetchall()
    assert after == before


def test_a_newer_server_than_pg_dump_is_a_clear_error() -> None:
    from golive.backup.pgtools import bindir_for

    with pytest.raises(BackupError, match=r"PostgreSQL 17 but the pg_dump here is older .*15"):
        bindir_for(17, [15])
    assert bindir_for(14, [15, 16]).name == "bin"
    assert bindir_for(14, [15, 16]).parent.name == "15"


async def test_restore_refuses_a_database_that_already_exists(
    tmp_path: Path, pgbench_dsn: str
) -> None:
    from golive.backup.drill import restore

    loaded = config(tmp_path, pgbench_dsn)
    store = open_store(loaded)
    clock = SystemClock()
    await run_backup(loaded, "main-db", store=store, clock=clock, environ={})
    existing = pgbench_dsn.rsplit("/", 1)[0] + "/postgres"
    with pytest.raises(BackupError, match="database postgres already exists"):
        await restore(loaded, "main-db", into=existing, store=store, clock=clock, environ={})
    fresh = pgbench_dsn.rsplit("/", 1)[0] + f"/restored_{datetime.now(UTC):%H%M%S%f}"
    entry, seconds = await restore(
        loaded, "main-db", into=fresh, store=store, clock=clock, environ={}
    )
    import psycopg

    with psycopg.connect(fresh) as conn:
        assert conn.execute("SELECT count(*) FROM pgbench_accounts").fetchone() == (300_000,)
    assert seconds > 0 and entry.state == "good"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 128 kB tmpfs (the pgbench dump is about 1 MB): a disk that fills mid-backup."""
    import subprocess

    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=128k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


async def test_a_disk_that_fills_mid_backup_fails_clearly_and_leaves_nothing(
    tmp_path: Path, pgbench_dsn: str, small_disk: Path
) -> None:
    loaded = config(tmp_path, pgbench_dsn, to={"dir": str(small_disk)})
    store = open_store(loaded)
    with pytest.raises(BackupError, match="No space left on device"):
        await run_backup(loaded, "main-db", store=store, clock=SystemClock(), environ={})
    (entry,) = catalog.backups(store, loaded.environment, name="main-db")
    assert entry.state == "failed" and entry.files == ()
    assert [p.name for p in (small_disk / "main-db").iterdir()] == []


async def test_a_role_without_permissions_fails_clearly(tmp_path: Path, pgbench_dsn: str) -> None:
    import psycopg

    with psycopg.connect(pgbench_dsn, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS backup_nobody")
        conn.execute("CREATE ROLE backup_nobody LOGIN")
    nobody = pgbench_dsn.replace("postgres@", "backup_nobody@")
    loaded = config(tmp_path, nobody)
    store = open_store(loaded)
    with pytest.raises(BackupError, match=r"cannot read public\.facilities: permission denied"):
        await run_backup(loaded, "main-db", store=store, clock=SystemClock(), environ={})
    (entry,) = catalog.backups(store, loaded.environment, name="main-db")
    assert entry.state == "failed" and "permission denied" in (entry.error or "")
