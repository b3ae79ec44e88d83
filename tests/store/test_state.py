"""Persisting serve cycles: statuses survive a restart, rollups merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from golive.engine.results import CheckResult
from golive.engine.rollup import rollup
from golive.engine.state import advance
from golive.records import CheckStatus
from golive.store import Store, normalise_url
from golive.store.state import flush, load_statuses
from golive.store.tables_monitor import Rollup

T0 = datetime(2026, 11, 1, 12, 0, 5, tzinfo=UTC)


def open_store(tmp_path: Path) -> Store:
    return Store.open(normalise_url("sqlite:///golive.db", tmp_path))


def result(ok: bool, at: datetime, latency: float = 12.0) -> CheckResult:
    return CheckResult("web", "API", "http", "GET /", ok, latency, None, (), {"status": 200}, at)


def test_statuses_survive_a_restart(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    status = advance(
        CheckStatus.initial("web", T0), result(True, T0), fail_after=2, recover_after=1
    )
    flush(store, environment="prod", statuses=[status], evidence=[], buckets=[])
    status = advance(
        status, result(False, T0 + timedelta(seconds=30)), fail_after=2, recover_after=1
    )
    flush(store, environment="prod", statuses=[status], evidence=[], buckets=[])
    store.close()
    loaded = load_statuses(open_store(tmp_path))
    assert loaded["web"] == status


def test_a_rollup_written_twice_is_merged_not_duplicated(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    first = rollup([result(True, T0, 10), result(False, T0 + timedelta(seconds=20), 300)])
    second = rollup([result(True, T0 + timedelta(seconds=40), 20)])
    flush(store, environment="prod", statuses=[], evidence=[], buckets=first)
    flush(store, environment="prod", statuses=[], evidence=[], buckets=second)
    with store.engine.connect() as connection:
        rows = connection.execute(select(Rollup).order_by(Rollup.resolution)).mappings().all()
    assert [(r["resolution"], r["runs"], r["failures"]) for r in rows] == [
        ("day", 3, 1),
        ("hour", 3, 1),
        ("minute", 3, 1),
    ]
    assert rows[2]["latency_max_ms"] == 300
    assert sum(rows[2]["latency_hist"]) == 3


def test_a_bucket_closed_twice_in_one_flush_is_merged_with_the_stored_one(
    tmp_path: Path,
) -> None:
    store = open_store(tmp_path)
    flush(store, environment="prod", statuses=[], evidence=[], buckets=rollup([result(True, T0)]))
    late = rollup([result(False, T0 + timedelta(seconds=10), 50)])
    again = rollup([result(True, T0 + timedelta(seconds=20), 5)])
    flush(store, environment="prod", statuses=[], evidence=[], buckets=[*late, *again])
    with store.engine.connect() as connection:
        rows = connection.execute(select(Rollup).order_by(Rollup.resolution)).mappings().all()
    assert [(r["resolution"], r["runs"], r["failures"]) for r in rows] == [
        ("day", 3, 1),
        ("hour", 3, 1),
        ("minute", 3, 1),
    ]
    assert late[0].runs == 1  # what was passed in is left as it was (a failed flush retries it)
