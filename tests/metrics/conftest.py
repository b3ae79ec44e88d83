"""Metrics tests get a real, migrated store: SQLite, or (``store`` with PostgreSQL) both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from golive.store import Store, normalise_url

if TYPE_CHECKING:
    from devkit.servers import PostgresServer


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(normalise_url("sqlite:///state/golive.db", tmp_path))
    yield opened
    opened.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A real, migrated store: SQLite, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        url = normalise_url("sqlite:///state/golive.db", tmp_path)
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        name = f"metrics_{abs(hash(request.node.name)) % 10**8}"
        url = normalise_url(server.create_database(name), tmp_path)
    opened = Store.open(url)
    yield opened
    opened.close()
