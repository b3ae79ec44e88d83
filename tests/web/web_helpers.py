"""Helpers shared by the web tests: the TestClient import, an in-memory ``Runtime``, seeding.

``FakeRuntime`` is what `golive serve` provides, with plain objects: statuses and maintenance
are dicts the test fills, and ``reload`` really reads and validates the configuration file.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import insert
from starlette.exceptions import StarletteDeprecationWarning

from golive.clock import ManualClock
from golive.config import LoadedConfig, load_config
from golive.exceptions import ConfigError
from golive.records import Bucket, CheckStatus
from golive.store import Store
from golive.store.state import flush
from golive.store.tables import Evidence
from golive.store.tables_monitor import Alert, Notification
from golive.web import ReloadOutcome, StoreWrites

with warnings.catch_warnings():
    # Starlette 1.x prefers the httpx2 package and warns once, at import, when it
    # falls back to httpx (which still works). httpx2 is not a dev dependency yet.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

__all__ = [
    "FakeRuntime",
    "TestClient",
    "bearer",
    "seed_alert",
    "seed_evidence",
    "seed_notification",
    "seed_rollup",
]


@dataclass
class FakeRuntime:
    """An in-memory ``golive.web.Runtime`` for tests."""

    loaded: LoadedConfig
    store: Store
    clock: ManualClock
    environ: Mapping[str, str]
    metrics_registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    live: dict[str, CheckStatus] = field(default_factory=dict)
    windows: dict[str, str] = field(default_factory=dict)
    unsaved: list[Bucket] = field(default_factory=list)
    recent: dict[str, tuple[float | None, ...]] = field(default_factory=dict)
    store_writes: StoreWrites = field(default_factory=StoreWrites)

    def __post_init__(self) -> None:
        self.check_up = Gauge(
            "golive_check_up", "1 up, 0 down, -1 unknown", ["check"], registry=self.metrics_registry
        )

    @property
    def checks_version(self) -> int:
        """Changes with whatever a test puts in ``live`` (not ``windows``: serve's does not
        follow maintenance windows either)."""
        return hash(repr(sorted(self.live.items())))

    def statuses(self) -> Mapping[str, CheckStatus]:
        return dict(self.live)

    def maintenance(self) -> Mapping[str, str]:
        return dict(self.windows)

    def recent_latencies(self, names: Iterable[str]) -> Mapping[str, tuple[float | None, ...]]:
        return {name: self.recent[name] for name in names if name in self.recent}

    def unsaved_rollups(self, resolution: str, check: str | None = None) -> Sequence[Bucket]:
        return [b for b in self.unsaved if b.resolution == resolution and check in (None, b.check)]

    async def reload(self) -> ReloadOutcome:
        try:
            loaded = load_config(
                self.loaded.path, environ=self.environ, env=self.loaded.environment
            )
        except ConfigError as exc:
            return ReloadOutcome(False, f"configuration refused, the previous one runs: {exc}")
        self.loaded = loaded
        return ReloadOutcome(True, f"reloaded: {len(loaded.config.checks)} checks")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# Rows written straight into the tables, as the engine, evaluator and notifier would.


def seed_evidence(store: Store, subject: str, ok: bool, at: datetime, **extra: Any) -> None:
    row: dict[str, Any] = {
        "run_id": None,
        "kind": "probe",
        "subject": subject,
        "environment": "default",
        "ok": ok,
        "taken_at": at,
        "expires_at": at + timedelta(minutes=2),
        "latency_ms": 12.5,
        "error": None,
        "values": {"status": 200 if ok else 503},
        "failed": [],
    }
    with store.engine.begin() as connection:
        connection.execute(insert(Evidence), {**row, **extra})


def seed_rollup(
    store: Store, check: str, bucket: datetime, runs: int, failures: int, resolution: str = "hour"
) -> None:
    """A rollup written the way `golive serve` writes one (an hour's day row follows)."""
    written = Bucket(
        check, resolution, bucket, runs, failures, 10.0 * runs, 30.0, [0, 0, runs] + [0] * 9
    )
    flush(store, environment="test", statuses=[], evidence=[], buckets=[written])


def seed_alert(store: Store, fingerprint: str, at: datetime, **extra: Any) -> None:
    row: dict[str, Any] = {
        "fingerprint": fingerprint,
        "name": "api-health",
        "rule": None,
        "check": "api-health",
        "component": "API",
        "severity": "high",
        "labels": {},
        "state": "firing",
        "pending_since": at,
        "firing_since": at,
        "resolved_at": None,
        "summary": "api-health is DOWN",
        "details": {},
        "silenced_by": None,
        "inhibited_by": None,
        "acknowledged_by": None,
        "acknowledged_at": None,
        "last_notified_at": None,
        "updated_at": at,
    }
    with store.engine.begin() as connection:
        connection.execute(insert(Alert), {**row, **extra})


def seed_notification(store: Store, dedup_key: str, at: datetime, **extra: Any) -> None:
    row: dict[str, Any] = {
        "dedup_key": dedup_key,
        "channel": "ops",
        "kind": "alert",
        "group_key": "",
        "title": "api-health is DOWN",
        "body": "api-health failed",
        "payload": {},
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": at,
        "lease_until": None,
        "last_error": None,
        "created_at": at,
        "delivered_at": None,
    }
    with store.engine.begin() as connection:
        connection.execute(insert(Notification), {**row, **extra})
