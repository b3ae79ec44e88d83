"""Seed a golive SQLite store for bench/web.py: hour rollups and check_state rows, written
with sqlite3 directly (one transaction, executemany) after ``Store.open`` made the schema, and
the day rollups of those hours."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

from golive.store.day_rollups import backfill
from golive.store.store import Store

_FMT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy's SQLite DateTime stores a UTC datetime


def schema(url: str) -> None:
    """Create (migrate) the store's tables the way golive does."""
    Store.open(url).close()


def _hists(rng: random.Random, count: int = 64) -> list[tuple[str, float, float]]:
    """A few plausible (latency_hist JSON, latency_sum_ms, latency_max_ms) for one run/hour."""
    found = []
    for _ in range(count):
        hist = [0] * 12
        hist[rng.choice((0, 1, 1, 2, 2, 3))] = 1
        found.append((json.dumps(hist), rng.uniform(1, 40), rng.uniform(40, 90)))
    return found


def _rollup_rows(
    names: Sequence[str], hours: int, now: datetime, rng: random.Random
) -> Iterator[tuple[object, ...]]:
    end = now.replace(minute=0, second=0, microsecond=0)
    buckets = [(end - timedelta(hours=h)).strftime(_FMT) for h in range(hours, 0, -1)]
    hists = _hists(rng)
    for name in names:
        for bucket in buckets:
            hist, total, peak = hists[rng.randrange(len(hists))]
            failures = 1 if rng.random() < 0.002 else 0
            yield (name, "hour", bucket, 1, failures, total, peak, hist)


def seed_rollups(path: str, names: Sequence[str], days: int, now: datetime) -> int:
    """Hour rollups (one run per hour, as with ``every: 1h``) for ``days`` days; rows written."""
    rng = random.Random(42)
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA synchronous=OFF")
        with db:
            cursor = db.executemany(
                'INSERT INTO rollups ("check", resolution, bucket, runs, failures,'
                " latency_sum_ms, latency_max_ms, latency_hist) VALUES (?,?,?,?,?,?,?,?)",
                _rollup_rows(names, days * 24, now, rng),
            )
            rows = cursor.rowcount
    finally:
        db.close()
    return rows


def seed_days(url: str) -> int:
    """The day rows `golive serve` writes with each hour (here from the seeded hours, as the
    upgrade to a store with day rollups makes them); rows written."""
    store = Store.open(url)
    try:
        with store.engine.begin() as connection:
            return backfill(connection)
    finally:
        store.close()


def seed_state(path: str, names: Sequence[str], now: datetime) -> int:
    """One check_state row per check: up since a day ago, last run a few minutes ago."""
    since = (now - timedelta(days=1)).astimezone(UTC).strftime(_FMT)
    last = (now - timedelta(minutes=5)).astimezone(UTC).strftime(_FMT)
    db = sqlite3.connect(path)
    try:
        with db:
            db.executemany(
                "INSERT OR REPLACE INTO check_state (name, state, since, consecutive_failures,"
                " consecutive_successes, last_run_at, last_ok, last_latency_ms, last_error,"
                " last_failed) VALUES (?, 'up', ?, 0, 5, ?, 1, 12.5, NULL, '[]')",
                [(name, since, last) for name in names],
            )
    finally:
        db.close()
    return len(names)
