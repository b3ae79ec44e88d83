"""Real dependency checks for ``GET /health``, run on every call."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from parkwise.cache import Cache
from parkwise.db import Database

Check = dict[str, Any]


def _timed(probe: Callable[[], object]) -> Check:
    started = time.perf_counter()
    try:
        probe()
    except Exception as exc:  # any failure of the dependency makes the check fail
        elapsed = (time.perf_counter() - started) * 1000
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return {"status": "error", "latency_ms": round(elapsed, 2), "error": message}
    elapsed = (time.perf_counter() - started) * 1000
    return {"status": "ok", "latency_ms": round(elapsed, 2)}


def check_database(db: Database) -> Check:
    """Query the real schema, so a database without our tables also fails."""
    return _timed(lambda: db.query("SELECT 1 AS ok FROM facilities LIMIT 1"))


def check_redis(cache: Cache | None) -> Check:
    if cache is None:
        return {"status": "disabled"}
    return _timed(cache.ping)


def health_report(db: Database, cache: Cache | None, version: str) -> tuple[int, dict[str, Any]]:
    """Status code and body: 200 healthy, or 503 degraded when a dependency fails."""
    checks = {"database": check_database(db), "redis": check_redis(cache)}
    healthy = all(check["status"] in ("ok", "disabled") for check in checks.values())
    body = {"status": "healthy" if healthy else "degraded", "version": version, "checks": checks}
    return (200 if healthy else 503), body
