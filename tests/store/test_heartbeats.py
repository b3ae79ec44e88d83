"""Heartbeat rows: one secret per check, shown once and stored only as its hash, rotated on
demand, states kept; migration 0017 hashes the secrets stored before it in place."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from golive.engine.pings import PingBook
from golive.exceptions import UsageError
from golive.store import Store, db, normalise_url
from golive.store.heartbeats import (
    digest,
    ensure_heartbeats,
    issue_secret,
    load_heartbeats,
    new_secret,
    ping_digests,
    rotate_secret,
    save_heartbeats,
)

if TYPE_CHECKING:
    from devkit.servers import PostgresServer

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_a_secret_is_issued_once_kept_as_a_hash_and_rotation_replaces_it(
    tmp_path: Path,
) -> None:
    store = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    ensure_heartbeats(store, ["a", "b"], T0)
    assert ping_digests(store) == {}  # serve's rows have no secret: no URL opens them yet
    first = issue_secret(store, "a", T0)
    assert len(first) >= 32 and ping_digests(store) == {"a": digest(first)}
    with pytest.raises(UsageError, match="golive heartbeat rotate a"):
        issue_secret(store, "a", T0)  # it cannot be shown again
    ensure_heartbeats(store, ["a", "b", "c"], T0 + timedelta(hours=1))  # a keeps its secret
    assert ping_digests(store) == {"a": digest(first)}
    rotated = rotate_secret(store, "a", T0)
    assert rotated != first and ping_digests(store) == {"a": digest(rotated)}
    c = issue_secret(store, "c", T0)
    store.close()
    data = b"".join(p.read_bytes() for p in tmp_path.glob("golive.db*"))  # the WAL too
    for secret in (first, rotated, c):
        assert secret.encode() not in data
    assert digest(rotated).encode() in data


def test_states_are_stored_and_read_back(tmp_path: Path) -> None:
    store = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    ensure_heartbeats(store, ["a"], T0)
    state = load_heartbeats(store)["a"]
    assert state.watched_since == T0 and state.runs == 0
    changed = replace(state, last_ping_at=T0, exit_code=3, duration_s=1.5, runs=4, missed=T0)
    save_heartbeats(store, [changed])
    assert load_heartbeats(store)["a"] == changed
    store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return normalise_url("sqlite:///golive.db", tmp_path)
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"hb_{abs(hash(request.node.name)) % 10**8}")


def secrets_before_hashes(url: str, secrets: dict[str, str]) -> None:
    """A store at revision 0016 whose heartbeats keep these plaintext secrets (check → secret),
    as every store did before migration 0017."""
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    row = {"secret_created_at": T0, "watched_since": T0, "runs": 0, "overdue_reported": False}
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0016")
        statement = text(
            'INSERT INTO heartbeats ("check", secret, secret_created_at, watched_since, runs, '
            "overdue_reported) VALUES (:check, :secret, :secret_created_at, :watched_since, "
            ":runs, :overdue_reported)"
        )
        connection.execute(
            statement, [{**row, "check": c, "secret": s} for c, s in secrets.items()]
        )
    engine.dispose()


def test_upgrading_hashes_the_stored_secrets_so_the_old_urls_still_open(url: str) -> None:
    old = {"nightly": new_secret(), "weekly": new_secret()}
    secrets_before_hashes(url, old)
    store = Store.open(url)  # migrates to the newest revision
    book = PingBook()
    book.know(ping_digests(store))
    assert book.opens("nightly", old["nightly"]) and book.opens("weekly", old["weekly"])
    assert not book.opens("nightly", old["weekly"])
    rotated = rotate_secret(store, "nightly", T0)
    book.know(ping_digests(store))
    assert not book.opens("nightly", old["nightly"]) and book.opens("nightly", rotated)
    store.close()
    if url.startswith("sqlite"):  # the file's free pages were zeroed, not left holding them
        data = b"".join(p.read_bytes() for p in Path(url.split("///", 1)[1]).parent.glob("*"))
        assert all(secret.encode() not in data for secret in old.values())
