"""Fixtures of the migrate tests: a PostgreSQL database of a test's own, and a config that
backs it up."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import psycopg
import pytest

from devkit.servers import PostgresServer
from golive.config import LoadedConfig
from tests.devkit.backup import backup_config

_numbers = itertools.count()
COUNTS = """
SELECT (SELECT count(*) FROM pgbench_accounts), (SELECT count(*) FROM pgbench_branches),
       (SELECT count(*) FROM pgbench_tellers), (SELECT sum(abalance) FROM pgbench_accounts)
"""


@pytest.fixture
def source(postgres_server: PostgresServer) -> str:
    """A database of its own (a failed apply renames it): pgbench -s 1 with foreign keys."""
    dsn = postgres_server.create_database(f"apply_{next(_numbers)}")
    subprocess.run(
        ["pgbench", "-i", "-q", "--foreign-keys", "-s", "1", dsn], check=True, capture_output=True
    )
    return dsn


def config(tmp_path: Path, dsn: str) -> LoadedConfig:
    backup = {
        "name": "main-db",
        "postgres": {"dsn": dsn},
        "to": {"dir": "backups"},
        "verify": {"expect": ["SELECT count(*) > 0 FROM pgbench_branches"]},
    }
    return backup_config(tmp_path, backup)


def counts(dsn: str) -> tuple[int, ...]:
    with psycopg.connect(dsn) as connection:
        return tuple(connection.execute(COUNTS).fetchone())  # type: ignore[arg-type]
