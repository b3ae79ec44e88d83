"""PostgreSQL physical backups through pgBackRest with WAL archiving to a local repository:
backups golive runs and catalogs, drills to the backup's end and to a point in time."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from devkit.pgbackrest import STANZA, ArchivingCluster
from golive.backup.drill import restore, run_drill
from golive.backup.run import run_backup
from golive.clock import SystemClock
from golive.config import LoadedConfig
from golive.engine import open_store
from golive.exceptions import BackupError
from golive.store import backups as catalog
from tests.devkit.backup import backup_config

# One worker runs these: a drill checks that no /tmp/golive-drill-* is left, which another
# drill running beside it would break.
pytestmark = pytest.mark.xdist_group("pgbackrest-drills")


def config(tmp_path: Path, cluster: ArchivingCluster, **more: Any) -> LoadedConfig:
    backup = {
        "name": "main-db",
        "pgbackrest": {"stanza": STANZA, "config": str(cluster.config), "database": "shop"},
        "to": {"dir": "backups"},
        "rto": "1h",
        **more,
    }
    return backup_config(tmp_path, backup)


@pytest.fixture(scope="module")
def shop(archiving_cluster: ArchivingCluster) -> str:
    """A ``shop`` database with an ``orders`` table on the archiving cluster."""
    dsn = archiving_cluster.server.create_database("shop")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE orders (id serial PRIMARY KEY, note text NOT NULL)")
    return dsn


def write(dsn: str, note: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("INSERT INTO orders (note) VALUES (%s)", (note,))


def server_now(dsn: str) -> datetime:
    with psycopg.connect(dsn) as conn:
        (now,) = conn.execute("SELECT clock_timestamp()").fetchone()  # type: ignore[misc]
    assert isinstance(now, datetime)
    return now.astimezone(UTC)


def archived(dsn: str, timeout: float = 60.0) -> None:
    """Switch to a new WAL segment and wait (polling) until the old one is archived."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        (segment,) = conn.execute("SELECT pg_walfile_name(pg_switch_wal())").fetchone()  # type: ignore[misc]
        deadline = time.monotonic() + timeout
        while True:
            (last,) = conn.execute("SELECT last_archived_wal FROM pg_stat_archiver").fetchone()  # type: ignore[misc]
            if last is not None and last >= segment:
                return
            assert time.monotonic() < deadline, f"{segment} not archived in {timeout}s"
            time.sleep(0.1)


async def test_a_backup_runs_pgbackrest_and_catalogs_its_info(
    tmp_path: Path, archiving_cluster: ArchivingCluster, shop: str
) -> None:
    loaded = config(tmp_path, archiving_cluster)
    store = open_store(loaded)
    entry = await run_backup(loaded, "main-db", store=store, clock=SystemClock(), environ={})
    assert entry.state == "good" and entry.kind == "pgbackrest"
    source = entry.source
    info = archiving_cluster.pgbackrest("info", "--output=json")
    assert source["label"] in info  # pgBackRest itself lists the backup golive cataloged
    # incr (the default) with no full one yet: pgBackRest takes a full one
    assert source["type"] == ("full" if source["prior"] is None else "incr")
    assert source["size"] > 0 and source["repo_size"] > 0
    assert source["wal_start"] <= source["wal_stop"]
    assert source["started"] <= source["stopped"]
    (manifest,) = entry.files
    assert manifest.path == "pgbackrest.json"


async def test_a_drill_restores_into_a_scratch_instance_checks_it_and_removes_it(
    tmp_path: Path, archiving_cluster: ArchivingCluster, shop: str
) -> None:
    write(shop, "before the drill's backup")
    loaded = config(
        tmp_path, archiving_cluster, verify={"expect": ["SELECT count(*) > 0 FROM orders"]}
    )
    store = open_store(loaded)
    clock = SystemClock()
    await run_backup(loaded, "main-db", store=store, clock=clock, environ={})
    report = await run_drill(loaded, "main-db", store=store, clock=clock, environ={})
    assert report.ok, report.reason
    names = {c.name for c in report.checks}
    assert {"recovered", "readable public.orders", "foreign keys", "expect 1", "rto"} <= names
    assert not list(Path("/tmp").glob("golive-drill-*"))  # the scratch instance is gone
    (entry,) = catalog.backups(store, loaded.environment, name="main-db")
    assert entry.verified is True


async def test_a_point_in_time_drill_has_the_rows_before_the_time_and_not_after(
    tmp_path: Path, archiving_cluster: ArchivingCluster, shop: str
) -> None:
    loaded = config(
        tmp_path,
        archiving_cluster,
        verify={
            "expect": [
                "SELECT count(*) = 1 FROM orders WHERE note = 'just before T'",
                "SELECT count(*) = 0 FROM orders WHERE note = 'after T'",
            ]
        },
    )
    store = open_store(loaded)
    clock = SystemClock()
    await run_backup(loaded, "main-db", store=store, clock=clock, environ={})
    write(shop, "just before T")
    target = server_now(shop)  # the server's clock: strictly between the two commits
    write(shop, "after T")
    archived(shop)
    report = await run_drill(
        loaded, "main-db", store=store, clock=clock, environ={}, target_time=target
    )
    assert report.ok, report.reason
    recovered = next(c for c in report.checks if c.name == "recovered to time")
    assert "recovery stopping before commit" in recovered.detail
    assert report.as_dict()["target_time"] == target.isoformat()
    # the source kept both rows: the drill restored the past, not the present
    with psycopg.connect(shop) as conn:
        assert conn.execute("SELECT count(*) FROM orders WHERE note = 'after T'").fetchone() == (1,)


async def test_restore_writes_the_backup_into_a_new_data_directory_and_refuses_a_full_one(
    tmp_path: Path, archiving_cluster: ArchivingCluster, shop: str
) -> None:
    loaded = config(tmp_path, archiving_cluster)
    store = open_store(loaded)
    clock = SystemClock()
    entry = await run_backup(loaded, "main-db", store=store, clock=clock, environ={})
    into = Path(tempfile.mkdtemp(prefix="golive-restore-"))
    into.chmod(0o755)  # reachable by postgres, who restores into it
    try:
        restored, _ = await restore(
            loaded, "main-db", into=str(into / "data"), store=store, clock=clock, environ={}
        )
        assert restored.id == entry.id
        version = (into / "data" / "PG_VERSION").read_text().strip()
        assert version == entry.source["postgres"]
        with pytest.raises(BackupError, match="is not empty; name a new folder"):
            await restore(
                loaded, "main-db", into=str(into / "data"), store=store, clock=clock, environ={}
            )
    finally:
        shutil.rmtree(into, ignore_errors=True)


def test_the_cli_runs_a_backup_and_lists_its_repository_size(
    tmp_path: Path, archiving_cluster: ArchivingCluster, shop: str
) -> None:
    from typer.testing import CliRunner

    from golive.cli import app

    config(tmp_path, archiving_cluster)
    path = str(tmp_path / "golive.yaml")
    runner = CliRunner()
    ran = runner.invoke(app, ["backup", "run", "-c", path, "--json"], env={})
    assert ran.exit_code == 0, ran.output
    (entry,) = json.loads(ran.output)
    assert entry["kind"] == "pgbackrest" and entry["source"]["repo_size"] > 1_000_000
    listed = runner.invoke(app, ["backup", "list", "-c", path], env={})
    assert listed.exit_code == 0, listed.output
    assert " MB" in listed.output  # pgBackRest's repository size, not the kB manifest's
    assert " kB" not in listed.output
