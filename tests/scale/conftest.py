"""A fresh store per test, on SQLite and on the session's real PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from golive.store import Store, normalise_url

if TYPE_CHECKING:
    from devkit.servers import PostgresServer

_databases = itertools.count()


def fresh_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A new, empty store URL on ``backend`` (sqlite or postgresql)."""
    if backend == "sqlite":
        return normalise_url("sqlite:///state/golive.db", tmp_path)
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"leases_{abs(hash(request.node.nodeid)) % 10**8}_{next(_databases)}"
    return normalise_url(server.create_database(name), tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = fresh_url(request, request.param, tmp_path)
    Store.open(url).close()  # migrated once, so child processes only open it
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store.open(store_url)
    yield opened
    opened.close()
