"""Day rollups: written with the hours they add up, made from stored hours by migration 0005,
equal either way, on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, delete, insert, select, text
from typer.testing import CliRunner

from golive.cli import app
from golive.engine.results import CheckResult
from golive.engine.rollup import rollup
from golive.records import Bucket
from golive.store import Store, db, normalise_url
from golive.store.day_rollups import backfill
from golive.store.state import flush
from golive.store.tables_monitor import Rollup
from golive.store.uptime import daily_totals

if TYPE_CHECKING:
    from devkit.servers import PostgresServer

DAY0 = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return normalise_url("sqlite:///golive.db", tmp_path)
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"days_{abs(hash(request.node.name)) % 10**8}")


@pytest.fixture
def store(url: str) -> Iterator[Store]:
    opened = Store.open(url)
    yield opened
    opened.close()


def run(check: str, ok: bool, at: datetime, latency: float) -> CheckResult:
    return CheckResult(check, None, "http", "GET /", ok, latency, None, (), {}, at)


def hours(results: list[CheckResult]) -> list[Bucket]:
    return [b for b in rollup(results) if b.resolution == "hour"]


def stored(store: Store, resolution: str) -> list[dict[str, Any]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(Rollup)
            .where(Rollup.resolution == resolution)
            .order_by(Rollup.check, Rollup.bucket)
        )
        return [dict(row) for row in rows.mappings()]


def day_rows(store: Store) -> list[tuple[str, datetime, int, int, float, float, list[int]]]:
    return [
        (
            r["check"],
            r["bucket"],
            r["runs"],
            r["failures"],
            round(r["latency_sum_ms"], 6),
            r["latency_max_ms"],
            list(r["latency_hist"]),
        )
        for r in stored(store, "day")
    ]


def test_the_hours_of_a_day_add_up_in_its_row_across_flushes(store: Store) -> None:
    noon, one = DAY0 + timedelta(hours=12), DAY0 + timedelta(hours=13)
    flush(
        store,
        environment="t",
        statuses=[],
        evidence=[],
        buckets=hours([run("web", True, noon, 12.0), run("web", False, noon, 700.0)]),
    )
    flush(
        store,
        environment="t",
        statuses=[],
        evidence=[],
        buckets=hours([run("web", True, one, 3.0), run("db", True, one, 40.0)]),
    )
    web, db_day = stored(store, "day")[1], stored(store, "day")[0]
    assert (web["check"], web["bucket"], web["runs"], web["failures"]) == ("web", DAY0, 3, 1)
    assert web["latency_max_ms"] == 700.0
    assert web["latency_sum_ms"] == pytest.approx(715.0)
    assert sum(web["latency_hist"]) == 3
    assert (db_day["check"], db_day["runs"]) == ("db", 1)


def test_hours_on_both_sides_of_midnight_go_to_their_own_days(store: Store) -> None:
    late, early = DAY0 - timedelta(minutes=30), DAY0 + timedelta(minutes=30)
    flush(
        store,
        environment="t",
        statuses=[],
        evidence=[],
        buckets=hours([run("web", False, late, 5.0), run("web", True, early, 5.0)]),
    )
    rows = [(r["bucket"], r["runs"], r["failures"]) for r in stored(store, "day")]
    assert rows == [(DAY0 - timedelta(days=1), 1, 1), (DAY0, 1, 0)]
    totals = daily_totals(store, start=DAY0 - timedelta(days=1), end=DAY0 + timedelta(days=1))
    assert sorted((t.day.isoformat(), t.runs, t.failures) for t in totals) == [
        ("2026-10-31", 1, 1),
        ("2026-11-01", 1, 0),
    ]


def test_backfill_makes_the_rows_the_engine_writes(store: Store) -> None:
    results = [
        run(check, (i % 7) != 0, DAY0 + timedelta(minutes=37 * i), float(i * 13 % 900))
        for i in range(200)
        for check in ("web", "db")
    ]  # about five days of runs with failures and latencies in every histogram slot
    flush(store, environment="t", statuses=[], evidence=[], buckets=hours(results))
    written = day_rows(store)
    assert len(written) == 2 * 6
    with store.engine.begin() as connection:
        connection.execute(delete(Rollup).where(Rollup.resolution == "day"))
        assert backfill(connection) == len(written)
    assert day_rows(store) == written


def hours_before_day_rollups(url: str, rows: list[dict[str, Any]]) -> Engine:
    """A store at revision 0004 (before day rollups) holding these hour rollups; each row
    names its check, bucket and counts, the rest is one 1 ms run's histogram."""
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    one_run = {"resolution": "hour", "latency_sum_ms": 1.0, "latency_max_ms": 1.0}
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
        hist = {"latency_hist": [1] + [0] * 11}
        connection.execute(insert(Rollup), [{**one_run, **hist, **row} for row in rows])
    return engine


def test_upgrading_a_store_makes_day_rows_from_its_stored_hours(url: str) -> None:
    engine = hours_before_day_rollups(
        url,
        [
            {
                "check": "web",
                "bucket": DAY0 + timedelta(hours=h),
                "runs": 2,
                "failures": h % 2,
                "latency_sum_ms": 10.0,
                "latency_max_ms": 10.0,
                "latency_hist": [1, 1] + [0] * 10,
            }
            for h in range(30)  # a whole day and six hours of the next
        ],
    )
    engine.dispose()
    store = Store.open(url)  # migrates to the newest revision
    try:
        rows = [
            (r["bucket"], r["runs"], r["failures"], r["latency_hist"][:2])
            for r in stored(store, "day")
        ]
        with store.engine.connect() as connection:
            version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        store.close()
    assert version == db.SCHEMA_REVISION
    assert rows == [(DAY0, 48, 12, [24, 24]), (DAY0 + timedelta(days=1), 12, 3, [6, 6])]


def test_a_long_upgrade_says_how_far_it_is(url: str) -> None:
    engine = hours_before_day_rollups(
        url,
        [
            {
                "check": f"check-{c:03}",
                "bucket": DAY0 + timedelta(hours=h),
                "runs": 1,
                "failures": 0,
            }
            for c in range(120)
            for h in range(48)  # 5,760 hour rows, two days of 120 checks
        ],
    )
    ticks = iter([0.0, 0.5, 3.0, 3.5])  # a line, then none within 2 s, then the last
    lines: list[str] = []
    progress = db.Progress(lines.append, seconds=2.0, monotonic=lambda: next(ticks))
    try:
        db.migrate(engine, progress=progress)
        with engine.connect() as connection:
            days = connection.execute(
                select(Rollup.runs).where(Rollup.resolution == "day")
            ).scalars()
            assert list(days) == [24] * 240
    finally:
        engine.dispose()
    # 50 checks per statement: 2,400, 4,800, then all 5,760 (always said)
    assert lines == [
        "store upgrade: day rollups from hour rollups: 2,400/5,760 rows (41%)",
        "store upgrade: day rollups from hour rollups: 5,760/5,760 rows (100%)",
    ]


def test_progress_lines_go_to_stderr_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    progress = db.Progress(seconds=0)
    progress("day rollups from hour rollups", 500, 1000)
    assert capsys.readouterr().err == (
        "store upgrade: day rollups from hour rollups: 500/1,000 rows (50%)\n"
    )


def test_a_command_that_upgrades_the_store_prints_its_progress_to_stderr(
    url: str, tmp_path: Path
) -> None:
    hours = [
        {"check": "web", "bucket": DAY0 + timedelta(hours=h), "runs": 1, "failures": 0}
        for h in range(30)
    ]
    hours_before_day_rollups(url, hours).dispose()
    path = tmp_path / "golive.yaml"
    path.write_text(f"version: 1\nproject: shop\nstore: {url}\nchecks: []\n")
    result = CliRunner().invoke(app, ["gate", "history", "-c", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stderr == "store upgrade: day rollups from hour rollups: 30/30 rows (100%)\n"
    assert result.stdout == ""
