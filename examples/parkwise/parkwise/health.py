"""Real dependency checks for ``GET /health``, run on every call, by golive's integration
(``golive.integrations.health``): the report golive users add to their own apps."""

from __future__ import annotations

from typing import Any

from golive.integrations.health import Component, Health
from parkwise.cache import Cache
from parkwise.db import Database


def health_report(db: Database, cache: Cache | None, version: str) -> tuple[int, dict[str, Any]]:
    """Status code and body: 200 healthy, or 503 degraded when a dependency fails. The database
    check queries the real schema, so a database without our tables also fails."""
    components: dict[str, Component | None] = {
        "database": Component(lambda: db.query("SELECT 1 AS ok FROM facilities LIMIT 1")),
        "redis": None if cache is None else Component(cache.ping),
    }
    return Health(components, version=version).report()
