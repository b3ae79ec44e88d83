"""Backups to a local S3-compatible server (moto): multipart uploads, encryption at rest, a cut
upload that leaves no good entry and no object behind."""

from __future__ import annotations

import os
from pathlib import Path

import boto3
import pytest

from golive.backup.drill import run_drill
from golive.backup.run import run_backup
from golive.clock import SystemClock
from golive.engine import open_store
from golive.exceptions import BackupError
from golive.store import backups as catalog
from tests.backup.conftest import S3_ENV, moto
from tests.devkit.backup import backup_config, make_bucket


def objects(url: str, bucket: str) -> list[str]:
    client = boto3.client("s3", endpoint_url=url, region_name="us-east-1", **_keys())
    return [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def _keys() -> dict[str, str]:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


async def test_an_encrypted_postgres_backup_in_s3_restores_in_a_drill(
    tmp_path: Path, pgbench_dsn: str, s3_url: str
) -> None:
    make_bucket(s3_url, "enc-backups")
    (tmp_path / "backup.key").write_bytes(os.urandom(32))
    loaded = backup_config(
        tmp_path,
        {
            "name": "main-db",
            "postgres": {"dsn": pgbench_dsn, "jobs": 2},
            "to": {"s3": {"bucket": "enc-backups", "prefix": "db/", "endpoint_url": s3_url}},
            "encrypt": {"key_file": "backup.key"},
            "verify": {"expect": ["SELECT count(*) = 300000 FROM pgbench_accounts"]},
        },
    )
    store = open_store(loaded)
    clock = SystemClock()
    entry = await run_backup(loaded, "main-db", store=store, clock=clock, environ=S3_ENV)
    assert entry.encrypted and all(f.path.endswith(".enc") for f in entry.files)
    stored = objects(s3_url, "enc-backups")
    assert sorted(stored) == sorted(f"db/{entry.key}/{f.path}" for f in entry.files)
    report = await run_drill(loaded, "main-db", store=store, clock=clock, environ=S3_ENV)
    assert report.ok, report.reason


async def test_a_wrong_key_fails_the_drill_clearly(
    tmp_path: Path, pgbench_dsn: str, s3_url: str
) -> None:
    make_bucket(s3_url, "wrong-key")
    key = tmp_path / "backup.key"
    key.write_text(os.urandom(32).hex())
    spec = {
        "name": "main-db",
        "postgres": {"dsn": pgbench_dsn},
        "to": {"s3": {"bucket": "wrong-key", "endpoint_url": s3_url}},
        "encrypt": {"key_file": "backup.key"},
    }
    loaded = backup_config(tmp_path, spec)
    store = open_store(loaded)
    clock = SystemClock()
    await run_backup(loaded, "main-db", store=store, clock=clock, environ=S3_ENV)
    key.write_text(os.urandom(32).hex())
    report = await run_drill(loaded, "main-db", store=store, clock=clock, environ=S3_ENV)
    assert not report.ok and "cannot be decrypted with this key" in report.reason


class KillAfter:
    """Progress that stops the S3 server once ``limit`` bytes of the upload went through."""

    def __init__(self, server: moto, limit: int) -> None:
        self.server, self.limit, self.uploading = server, limit, False

    def phase(self, name: str, total: int | None) -> None:
        self.uploading = name == "upload"

    def at(self, done: int) -> None:
        if self.uploading and done >= self.limit:
            self.server.stop()


async def test_an_upload_cut_halfway_leaves_a_failed_entry_and_nothing_good(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "big.bin").write_bytes(os.urandom(24 * 1024 * 1024))  # random: gzip keeps 24 MB
    with moto(tmp_path) as server:
        url = server.url
        make_bucket(url, "cut")
        loaded = backup_config(
            tmp_path,
            {
                "name": "uploads",
                "files": {"paths": ["data"]},
                "to": {"s3": {"bucket": "cut", "endpoint_url": url}},
            },
        )
        store = open_store(loaded)
        with pytest.raises(BackupError, match=r"cannot upload files\.tar\.gz"):
            await run_backup(
                loaded,
                "uploads",
                store=store,
                clock=SystemClock(),
                environ=S3_ENV,
                progress=KillAfter(server, 9 * 1024 * 1024),
            )
    (entry,) = catalog.backups(store, loaded.environment, name="uploads")
    assert entry.state == "failed" and entry.files == ()
    assert catalog.backups(store, loaded.environment, state="good") == []


async def test_objects_gone_make_the_backup_corrupt_an_unreachable_store_does_not(
    tmp_path: Path,
) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_text("a")
    with moto(tmp_path) as server:
        make_bucket(server.url, "gone")
        loaded = backup_config(
            tmp_path,
            {
                "name": "data",
                "files": {"paths": ["data"]},
                "to": {"s3": {"bucket": "gone", "endpoint_url": server.url}},
            },
        )
        store = open_store(loaded)
        clock = SystemClock()
        first = await run_backup(loaded, "data", store=store, clock=clock, environ=S3_ENV)
        second = await run_backup(loaded, "data", store=store, clock=clock, environ=S3_ENV)
        client = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1", **_keys())
        client.delete_object(Bucket="gone", Key=f"{second.key}/{second.files[0].path}")
        report = await run_drill(loaded, "data", store=store, clock=clock, environ=S3_ENV)
        assert not report.ok and "it is gone" in report.reason
        assert catalog.backup(store, second.id).state == "corrupt"  # type: ignore[union-attr]
        server.stop()
        down = await run_drill(loaded, "data", store=store, clock=clock, environ=S3_ENV)
    assert not down.ok and down.backup_id == first.id
    assert catalog.backup(store, first.id).state == "good"  # type: ignore[union-attr]
