"""`golive store migrate --to`: a SQLite store filled through golive's own functions, copied
into a fresh database on the real PostgreSQL, compared row by row and through golive's
readers; refusals (bad URL, unreachable, non-empty, foreign) are exit 2 without the password."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
import pytest
import typer
from sqlalchemy import func, inspect, select
from typer.testing import CliRunner

from devkit.ports import free_port
from golive import accounts
from golive.cli.store import store as store_group
from golive.store import Store, incidents, normalise_url
from golive.store.alerts import insert_silence, list_alerts, load_silences
from golive.store.backups import backups
from golive.store.copy import copy_store, metadata, target_url
from golive.store.flags import flag_changes, flag_overrides
from golive.store.gate import gate_runs, latest_signoffs
from golive.store.heartbeats import ensure_heartbeats, load_heartbeats
from golive.store.jobs import jobs_of
from golive.store.leases import leases
from golive.store.outbox import list_notifications
from golive.store.requests import load_health, request_window
from golive.store.rollouts import rollout_events, rollout_history
from golive.store.scale import list_workers, read_results
from golive.store.state import load_statuses
from golive.store.tokens import create_token, list_tokens, verify_token
from golive.store.users import list_users
from tests.devkit.filled_store import PASSWORD, T0, Filled, fill

if TYPE_CHECKING:
    from devkit.servers import PostgresServer

runner = CliRunner()
cli = typer.Typer()
cli.add_typer(store_group, name="store")  # as golive.cli registers it
SECRET = "hunter2-Secret"


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("copy") / "golive.yaml"
    path.write_text(
        "version: 1\nproject: shop\nstore: sqlite:///state/golive.db\n"
        "components: [{name: API}]\nchecks:\n"
        "  - {name: web, component: API, tcp: {host: 127.0.0.1, port: 1}}\n"
    )
    return path


@pytest.fixture(scope="module")
def source(config: Path) -> Iterator[tuple[Store, Filled]]:
    """One filled store per module: copying only reads it (argon2 makes filling slow)."""
    opened = Store.open(normalise_url("sqlite:///state/golive.db", config.parent))
    filled = fill(opened)
    yield opened, filled
    opened.close()


@pytest.fixture
def target(postgres_server: PostgresServer) -> str:
    """A new database, its URL with a password (trust auth ignores it; it must never show)."""
    dsn = postgres_server.create_database(f"copy_{uuid.uuid4().hex[:12]}")
    return dsn.replace("postgres@", f"postgres:{SECRET}@", 1)


def migrate(config: Path, to: str, *extra: str) -> Any:
    return runner.invoke(cli, ["store", "migrate", "--to", to, "-c", str(config), *extra])


def rows(store: Store, table: Any) -> list[dict[str, Any]]:
    with store.engine.connect() as connection:
        found = connection.execute(select(table)).mappings()
        return sorted((dict(r) for r in found), key=lambda r: json.dumps(r, default=str))


def test_the_fixture_fills_every_table_that_migrations_create(
    source: tuple[Store, Filled],
) -> None:
    store, _ = source
    tables = metadata().sorted_tables
    with store.engine.connect() as connection:
        created = set(inspect(connection).get_table_names()) - {"alembic_version"}
        empty = [
            t.name
            for t in tables
            if not connection.execute(select(func.count()).select_from(t)).scalar_one()
        ]
    assert created == {t.name for t in tables}  # a migrated table missing from metadata fails
    assert empty == [], (
        "fill() writes no row into these tables: add them to tests/devkit/filled_store.py"
    )


def test_every_table_is_copied_row_for_row_with_its_values_exact(
    config: Path, source: tuple[Store, Filled], target: str
) -> None:
    result = migrate(config, target, "--batch", "2")
    assert result.exit_code == 0, result.output
    assert SECRET not in result.output
    for table in metadata().sorted_tables:
        assert f"{table.name} " in result.stdout
    assert "every table verified" in result.stdout
    assert "store: postgresql+psycopg://postgres:${env:GOLIVE_STORE_PASSWORD}@127.0.0.1" in (
        result.stdout
    )
    assert "store copy: evidence: 4/4 rows (100%)" in result.stderr  # not a terminal: lines
    store, _ = source
    copy = Store.open(normalise_url(target, config.parent))
    try:
        kinds: set[str] = set()
        for table in metadata().sorted_tables:
            copied = rows(copy, table)
            assert copied == rows(store, table), table.name
            kinds |= {
                type(c.type).__name__
                for c in table.columns
                if any(r[c.name] is not None for r in copied)
            }
        # a value of every column type the store uses went through and compared equal
        used = {type(c.type).__name__ for t in metadata().sorted_tables for c in t.columns}
        assert kinds == used
        assert {"UTCDateTime", "JSON", "Boolean", "LargeBinary", "Float"} <= kinds
    finally:
        copy.close()


def test_golives_readers_answer_the_same_from_the_copy(
    config: Path, source: tuple[Store, Filled], target: str
) -> None:
    assert migrate(config, target).exit_code == 0
    store, filled = source
    copy = Store.open(normalise_url(target, config.parent))
    try:
        later = T0 + timedelta(minutes=5)
        for side in (store, copy):
            assert verify_token(side, filled.token, later) is not None
            assert accounts.verify_session(side, filled.session_token, T0) is not None
            assert accounts.authenticate(side, "ada", PASSWORD) is not None
            assert accounts.authenticate(side, "ada", "wrong") is None

        def answers(side: Store) -> list[Any]:
            with side.reading("incident") as connection:
                incident = incidents.get(connection, filled.incident_id)
                timeline = incidents.timeline(connection, filled.incident_id)
                key = incidents.link_key(connection)
                used = incidents.link_used(connection, "n" * 32)
            return [
                load_statuses(side),
                list_alerts(side),
                load_silences(side),
                list_tokens(side),
                list_users(side),
                flag_overrides(side),
                flag_changes(side, "new-checkout"),
                latest_signoffs(side, "prod"),
                gate_runs(side, "prod"),
                load_heartbeats(side),
                backups(side, "prod"),
                load_health(side),
                request_window(side, "nginx", start=T0 - timedelta(hours=1), end=later),
                list_notifications(side),
                rollout_history(side),
                rollout_events(side, filled.rollout_id),
                leases(side),
                read_results(side, after=0),
                list_workers(side),
                jobs_of(side, "prod", "backup", "db"),
                side.latest("check", "web"),
                (incident, timeline, key, used),
            ]

        assert answers(copy) == answers(store)
    finally:
        copy.close()


def test_new_rows_on_the_copy_get_fresh_ids(
    config: Path, source: tuple[Store, Filled], target: str
) -> None:
    assert migrate(config, target).exit_code == 0
    copy = Store.open(normalise_url(target, config.parent))
    try:
        create_token(copy, "deploy", "viewer", T0)
        assert sorted(t.id for t in list_tokens(copy)) == [1, 2]
        with copy.writing("note") as connection:
            entry = incidents.append(
                connection, 1, "note", at=T0, actor="ada", message="copied over"
            )
        assert entry == 2
    finally:
        copy.close()


def test_the_copy_is_one_snapshot_of_a_store_written_to_meanwhile(
    config: Path, source: tuple[Store, Filled], target: str
) -> None:
    store, _ = source
    writer = Store.open(store.engine.url.render_as_string())
    wrote: list[int] = []

    def progress(table: str, done: int, total: int) -> None:
        if table == "tokens" and not wrote:  # silences are copied already, verified later
            wrote.append(insert_silence(**SILENCE, store=writer).id)

    SILENCE = {
        "matchers": {"check": "web"},
        "starts_at": T0,
        "ends_at": T0 + timedelta(hours=1),
        "created_by": "ada",
        "reason": "written during the copy",
        "created_at": T0,
    }
    try:
        report = copy_store(store, target_url(target), progress=progress)
    finally:
        writer.close()
    assert wrote and report.committed, report.mismatched
    copy = Store.open(normalise_url(target, config.parent))
    try:
        assert wrote[0] not in [s.id for s in load_silences(copy)]
        assert wrote[0] in [s.id for s in load_silences(store)]
    finally:
        copy.close()


def test_a_target_that_holds_rows_is_refused_with_the_table_and_count(
    config: Path, source: tuple[Store, Filled], target: str
) -> None:
    assert migrate(config, target).exit_code == 0
    again = migrate(config, target)
    assert again.exit_code == 2
    assert "is not empty: table alert_events holds 1 row." in again.stderr
    assert "new, empty database" in again.stderr
    assert SECRET not in again.output and "Traceback" not in again.output


def test_a_database_of_another_application_is_refused(
    config: Path, source: tuple[Store, Filled], target: str
) -> None:
    with psycopg.connect(target.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("CREATE TABLE orders (id int)")
    result = migrate(config, target)
    assert result.exit_code == 2
    assert "holds tables that are not golive's (orders)" in result.stderr
    assert SECRET not in result.output


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (f"mysql://root:{SECRET}@127.0.0.1/golive", "the target must be PostgreSQL"),
        (f"sqlite:///copy.db?password={SECRET}", "the target must be PostgreSQL"),
        (f"postgresql://root:{SECRET}@127.0.0.1:5432", "names no database"),
        (f"not a url {SECRET}", "is not a database URL"),
    ],
)
def test_a_bad_url_is_exit_2_with_a_message(config: Path, url: str, says: str) -> None:
    result = migrate(config, url)
    assert result.exit_code == 2, result.output
    assert says in result.stderr
    assert "Traceback" not in result.output
    if "://" in url and "@" in url:
        assert SECRET not in result.output


def test_an_unreachable_target_is_exit_2_without_its_password(
    config: Path, source: tuple[Store, Filled]
) -> None:
    url = f"postgresql://golive:{SECRET}@127.0.0.1:{free_port()}/golive?connect_timeout=2"
    result = migrate(config, url)
    assert result.exit_code == 2
    assert "cannot open the target: connection" in result.stderr
    assert SECRET not in result.output and "Traceback" not in result.output


def test_a_row_changed_on_the_way_fails_verification_and_nothing_is_kept(
    config: Path, source: tuple[Store, Filled], target: str
) -> None:
    # the schema first (as the copy would make it), then a trigger that alters one value
    Store.open(normalise_url(target, config.parent)).close()
    plain = target.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(
            "CREATE FUNCTION tamper() RETURNS trigger AS $$ BEGIN"
            " NEW.reason := 'tampered'; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        connection.execute(
            "CREATE TRIGGER tamper BEFORE INSERT ON silences FOR EACH ROW EXECUTE FUNCTION tamper()"
        )
    result = migrate(config, target, "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert report["committed"] is False and report["mismatched"] == ["silences"]
    with psycopg.connect(plain, autocommit=True) as connection:
        assert connection.execute("SELECT count(*) FROM evidence").fetchone() == (0,)
        connection.execute("DROP TRIGGER tamper ON silences")
    assert migrate(config, target).exit_code == 0  # the rolled-back target is accepted again


def test_a_value_postgresql_refuses_names_its_table_and_keeps_nothing(
    tmp_path: Path, target: str
) -> None:
    config = tmp_path / "golive.yaml"
    config.write_text("version: 1\nproject: shop\nstore: sqlite:///golive.db\nchecks: []\n")
    store = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    ensure_heartbeats(store, ["nightly", "n" * 250], T0)  # SQLite never checks String(200)
    store.close()
    result = migrate(config, target)
    assert result.exit_code == 2, result.output
    assert "cannot copy table heartbeats: value too long" in result.stderr
    assert "nothing was committed" in result.stderr
    assert SECRET not in result.output and "Traceback" not in result.output
    with psycopg.connect(target.replace("+psycopg", ""), autocommit=True) as connection:
        assert connection.execute("SELECT count(*) FROM heartbeats").fetchone() == (0,)


def test_a_postgresql_store_can_be_copied_too(
    config: Path, source: tuple[Store, Filled], target: str, postgres_server: PostgresServer
) -> None:
    assert migrate(config, target).exit_code == 0
    moved = config.parent / "moved.yaml"
    moved.write_text(config.read_text().replace("sqlite:///state/golive.db", target))
    again = postgres_server.create_database(f"copy_{uuid.uuid4().hex[:12]}")
    result = migrate(moved, again, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["committed"] and report["mismatched"] == []
    assert report["rows"] == sum(t["source_rows"] for t in report["tables"]) > 0
    assert SECRET not in result.output


def test_a_terminal_gets_a_bar_per_table(
    config: Path, source: tuple[Store, Filled], target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib
    import io

    from rich.console import Console

    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=100)
    # the module, not the Typer group golive.cli re-exports under the same name
    monkeypatch.setattr(importlib.import_module("golive.cli.store"), "err", terminal)
    result = migrate(config, target)
    assert result.exit_code == 0, result.output
    drawn = screen.getvalue()
    assert "store copy:" not in drawn  # bars, not lines
    for table in metadata().sorted_tables:
        assert table.name in drawn
    assert "4/4" in drawn  # evidence's rows done/total
