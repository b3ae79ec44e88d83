"""The evidence store on SQLite and on a real PostgreSQL, through the same migrations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from golive.exceptions import StoreError
from golive.records import EvidenceRecord, RunSummary
from golive.store import Store, db, gate, normalise_url, state

if TYPE_CHECKING:
    from devkit.servers import PostgresServer

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = normalise_url("sqlite:///state/golive.db", tmp_path)
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        name = f"store_{abs(hash(request.node.name)) % 10**8}"
        url = normalise_url(server.create_database(name), tmp_path)
    opened = Store.open(url)
    yield opened
    opened.close()


def record(subject: str, ok: bool, at: datetime, **values: object) -> EvidenceRecord:
    return EvidenceRecord(
        "probe", subject, ok, at, at + timedelta(minutes=2), 1.5, None, dict(values), []
    )


def test_a_run_and_its_evidence_are_stored_together(store: Store) -> None:
    run = RunSummary("check", "staging", NOW, NOW + timedelta(seconds=1))
    run_id = store.record_run(run, [record("web", True, NOW, status=200), record("db", False, NOW)])
    assert run_id >= 1
    latest = store.latest("probe", "web")
    assert latest is not None
    assert latest.ok is True
    assert latest.values == {"status": 200}
    assert latest.taken_at == NOW
    assert latest.taken_at.tzinfo is not None


def test_latest_is_the_newest_evidence_of_a_subject(store: Store) -> None:
    run = RunSummary("check", "staging", NOW, NOW)
    store.record_run(run, [record("web", True, NOW)])
    store.record_run(run, [record("web", False, NOW + timedelta(minutes=1))])
    latest = store.latest("probe", "web")
    assert latest is not None and latest.ok is False
    assert store.latest("probe", "nothing") is None


def test_opening_again_does_not_migrate_again(store: Store) -> None:
    url = store.engine.url.render_as_string(hide_password=False)
    reopened = Store.open(url)
    reopened.close()


def test_the_code_knows_the_newest_migration() -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    assert ScriptDirectory.from_config(config).get_current_head() == db.SCHEMA_REVISION


def test_relative_sqlite_paths_are_beside_the_config(tmp_path: Path) -> None:
    assert (
        normalise_url("sqlite:///.golive/golive.db", tmp_path)
        == f"sqlite:///{tmp_path}/.golive/golive.db"
    )
    assert normalise_url("postgresql://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"


def test_an_unreachable_postgres_store_is_a_clear_error(tmp_path: Path) -> None:
    from devkit.ports import free_port

    with pytest.raises(StoreError, match=r"cannot open the store: connection"):
        Store.open(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x?connect_timeout=2")


def test_an_unknown_store_scheme_is_refused() -> None:
    with pytest.raises(StoreError, match="unsupported store 'mysql'"):
        Store.open("mysql://u@h/db")


def test_reading_a_store_whose_tables_are_gone_is_a_store_error(tmp_path: Path) -> None:
    store = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    with store.engine.begin() as connection:
        for table in ("evidence", "check_state", "signoffs", "gate_runs"):
            connection.execute(text(f"DROP TABLE {table}"))
    reads: list[Callable[[], object]] = [
        lambda: store.latest("probe", "web"),
        lambda: state.load_statuses(store),
        lambda: gate.signoffs(store, "production"),
        lambda: gate.gate_runs(store, "production"),
    ]
    try:
        for read in reads:
            with pytest.raises(StoreError, match=r"^cannot .*: no such table"):
                read()
    finally:
        store.close()


def test_a_database_error_becomes_a_store_error_saying_what_was_being_done() -> None:
    with (
        pytest.raises(StoreError, match=r"^cannot count sheep: gone$") as caught,
        db.translated("count sheep"),
    ):
        raise OperationalError("SELECT 1", {}, Exception("gone\nand more"))
    assert isinstance(caught.value.__cause__, OperationalError)
