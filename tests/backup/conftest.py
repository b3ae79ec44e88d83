"""Backup fixtures: a pgbench database with foreign keys on the session's PostgreSQL, a local
S3-compatible server (moto), a cluster archiving WAL through pgBackRest, and configs that back
them up."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devkit.pgbackrest import ArchivingCluster
from devkit.ports import free_port, wait_for_port
from devkit.servers import PostgresServer

PGBENCH_SCALE = 3  # 300,000 accounts


@pytest.fixture(scope="session")
def pgbench_dsn(postgres_server: PostgresServer) -> str:
    """A database made by ``pgbench -i --foreign-keys -s 3``, plus a small table of our own."""
    dsn = postgres_server.create_database("bench_source")
    subprocess.run(
        ["pgbench", "-i", "-q", "--foreign-keys", "-s", str(PGBENCH_SCALE), dsn],
        check=True,
        capture_output=True,
    )
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE facilities (id serial PRIMARY KEY, name text NOT NULL)")
        conn.execute("INSERT INTO facilities (name) VALUES ('north'), ('south')")
    return dsn


@pytest.fixture(scope="session")
def s3_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A moto S3 server on loopback for the session."""
    with moto(tmp_path_factory.mktemp("moto")) as server:
        yield server.url


class moto:
    """``with moto(dir) as server``: a moto_server on a free port, stopped at the end."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.log = folder / "moto.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> moto:
        binary = Path(sys.executable).with_name("moto_server")
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(binary), "-H", "127.0.0.1", "-p", str(self.port)], stdout=log, stderr=log
            )
        wait_for_port(self.port, timeout=30, proc=self.process, log=self.log)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def __exit__(self, *_: object) -> None:
        self.stop()


S3_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="session")
def archiving_cluster() -> Iterator[ArchivingCluster]:
    """A PostgreSQL archiving its WAL through pgBackRest into a local repository."""
    with ArchivingCluster.start() as cluster:
        yield cluster
