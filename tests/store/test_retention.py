"""Retention: what `golive serve` prunes, in batches, and what it never prunes, on SQLite and
on a real PostgreSQL, with a clock moved past the retention windows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import func, insert, select

from golive.clock import ManualClock
from golive.engine.results import CheckResult
from golive.engine.rollup import rollup
from golive.store import Store, normalise_url
from golive.store.alerts import insert_silence, mark_silence_expired
from golive.store.retention import Keep, prune
from golive.store.state import flush
from golive.store.tables import Evidence
from golive.store.tables_monitor import Alert, AlertEvent, Notification, Rollup, Silence

if TYPE_CHECKING:
    from devkit.servers import PostgresServer

T0 = datetime(2026, 11, 1, 12, 0, 5, tzinfo=UTC)
DAY = timedelta(days=1)
KEEP = Keep(
    evidence=timedelta(hours=48),
    minute_rollups=DAY,
    hour_rollups=timedelta(days=400),
    alerts=timedelta(days=90),
    notifications=timedelta(days=30),
    silences=timedelta(days=90),
)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = normalise_url("sqlite:///golive.db", tmp_path)
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.create_database(f"retention_{abs(hash(request.node.name)) % 10**8}")
    opened = Store.open(url)
    yield opened
    opened.close()


def result(at: datetime) -> CheckResult:
    return CheckResult("web", "API", "http", "GET /", True, 12.0, None, (), {}, at)


def count(store: Store, table: Any) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def names(store: Store, column: Any) -> list[Any]:
    with store.engine.connect() as connection:
        return sorted(connection.execute(select(column)).scalars())


def add_alert(store: Store, name: str, state: str, resolved_at: datetime | None) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            insert(Alert),
            {
                "fingerprint": name,
                "name": name,
                "severity": "critical",
                "state": state,
                "firing_since": T0,
                "resolved_at": resolved_at,
                "updated_at": resolved_at or T0,
            },
        )


def add_event(store: Store, fingerprint: str, at: datetime, *, routed: bool = True) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            insert(AlertEvent),
            {
                "fingerprint": fingerprint,
                "at": at,
                "transition": "firing",
                "payload": {},
                "routed_at": at if routed else None,
            },
        )


def add_notification(store: Store, key: str, status: str, created_at: datetime) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            insert(Notification),
            {
                "dedup_key": key,
                "channel": "ops",
                "kind": "alert",
                "title": key,
                "body": "",
                "status": status,
                "next_attempt_at": created_at,
                "created_at": created_at,
                "delivered_at": created_at if status == "delivered" else None,
            },
        )


def test_old_evidence_and_rollups_go_after_their_retention(store: Store) -> None:
    old, new = T0 - timedelta(days=3), T0
    flush(
        store,
        environment="prod",
        statuses=[],
        evidence=[result(old).evidence(), result(new).evidence()],
        buckets=rollup([result(old), result(new)]),
    )
    removed = prune(store, T0, KEEP)
    assert removed == {"evidence": 1, "rollups": 1}  # the old minute; hours and days stay
    assert count(store, Evidence) == 1
    assert count(store, Rollup) == 5


def test_resolved_alerts_go_with_their_events_and_active_ones_stay(store: Store) -> None:
    clock = ManualClock(T0)
    add_alert(store, "old-resolved", "resolved", T0 + DAY)
    add_event(store, "old-resolved", T0)
    add_event(store, "old-resolved", T0 + DAY)
    add_alert(store, "recent-resolved", "resolved", T0 + timedelta(days=80))
    add_event(store, "recent-resolved", T0 + timedelta(days=80))
    add_alert(store, "still-firing", "firing", None)
    add_event(store, "still-firing", T0)
    add_alert(store, "unrouted", "resolved", T0)
    add_event(store, "unrouted", T0, routed=False)
    clock.advance(timedelta(days=100))
    removed = prune(store, clock.now(), KEEP)
    assert removed == {"alerts": 2, "alert_events": 2}
    assert names(store, Alert.fingerprint) == ["recent-resolved", "still-firing"]
    # an event not routed yet is work still to do, whatever its alert
    assert names(store, AlertEvent.fingerprint) == ["recent-resolved", "still-firing", "unrouted"]


def test_delivered_and_failed_notifications_go_pending_ones_never(store: Store) -> None:
    clock = ManualClock(T0)
    for status in ("delivered", "failed", "pending", "sending"):
        add_notification(store, f"old-{status}", status, T0)
    add_notification(store, "recent-delivered", "delivered", T0 + timedelta(days=20))
    clock.advance(timedelta(days=40))
    assert prune(store, clock.now(), KEEP) == {"notifications": 2}
    assert names(store, Notification.dedup_key) == [
        "old-pending",
        "old-sending",
        "recent-delivered",
    ]


def test_silences_go_once_ended_for_longer_than_their_retention(store: Store) -> None:
    clock = ManualClock(T0)

    def silence(reason: str, starts: datetime, ends: datetime) -> int:
        made = insert_silence(
            store,
            matchers={"check": "web"},
            starts_at=starts,
            ends_at=ends,
            created_by="ops",
            reason=reason,
            created_at=starts,
        )
        return made.id

    silence("ended long ago", T0, T0 + DAY)
    expired = silence("expired early", T0, T0 + timedelta(days=365))
    assert mark_silence_expired(store, expired, T0 + DAY)
    silence("ended lately", T0, T0 + timedelta(days=50))
    silence("for a year", T0, T0 + timedelta(days=365))
    clock.advance(timedelta(days=100))
    assert prune(store, clock.now(), KEEP) == {"silences": 2}
    assert names(store, Silence.reason) == ["ended lately", "for a year"]


def test_rows_go_in_batches_until_none_is_left(store: Store) -> None:
    old = T0 - timedelta(days=3)
    records = [result(old + timedelta(seconds=i)).evidence() for i in range(7)]
    flush(store, environment="prod", statuses=[], evidence=records, buckets=[])
    assert prune(store, T0, KEEP, batch=2) == {"evidence": 7}
    assert count(store, Evidence) == 0


def test_a_stopping_server_ends_the_pass_after_a_batch(store: Store) -> None:
    old = T0 - timedelta(days=3)
    records = [result(old + timedelta(seconds=i)).evidence() for i in range(7)]
    flush(store, environment="prod", statuses=[], evidence=records, buckets=[])
    assert prune(store, T0, KEEP, batch=2, stopping=lambda: True) == {"evidence": 2}
    assert count(store, Evidence) == 5


def test_unconsumed_probe_results_and_long_gone_workers_go(store: Store) -> None:
    from golive.store.scale import InboxEntry, WorkerBeat, add_results, beat, list_workers
    from golive.store.tables_scale import ProbeResultRow

    old, new = T0 - timedelta(days=3), T0
    add_results(
        store,
        [InboxEntry("web", "a", "d1", {}, at, at) for at in (old, new)],
    )
    for name, seen in (("gone", T0 - timedelta(days=100)), ("here", T0)):
        beat(store, WorkerBeat(name, "a", 1, 8, seen, seen))
    removed = prune(store, T0, KEEP)
    assert removed == {"probe_results": 1, "workers": 1}
    assert count(store, ProbeResultRow) == 1
    assert [w.name for w in list_workers(store)] == ["here"]


def test_old_finished_jobs_go_and_active_ones_stay_however_old(store: Store) -> None:
    from golive.store.jobs import claim, enqueue, finish, jobs_of

    old = T0 - timedelta(days=100)
    for name, state in (("done-old", "done"), ("failed-old", "failed"), ("running-old", "")):
        job = enqueue(
            store, kind="backup", name=name, environment="e", region="a", now=old, deadline=old
        )
        assert job is not None
        claim(store, job.id, worker="w", now=old, deadline=old)
        if state:
            finish(store, job.id, ok=state == "done", now=old)
    fresh = enqueue(
        store, kind="backup", name="done-new", environment="e", region="a", now=T0, deadline=T0
    )
    assert fresh is not None
    claim(store, fresh.id, worker="w", now=T0, deadline=T0)
    finish(store, fresh.id, ok=True, now=T0)
    removed = prune(store, T0, KEEP)
    assert removed == {"jobs": 2}
    left = {
        n: [j.state for j in jobs_of(store, "e", "backup", n)]
        for n in ("running-old", "done-new", "done-old")
    }
    assert left == {"running-old": ["running"], "done-new": ["done"], "done-old": []}
