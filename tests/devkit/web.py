"""Helpers shared by the web tests: the TestClient import, an in-memory ``Runtime``, seeding.

``FakeRuntime`` is what `golive serve` provides, with plain objects: statuses and maintenance
are dicts the test fills, and ``reload`` really reads and validates the configuration file.
"""

from __future__ import annotations

import re
import textwrap
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import insert
from starlette.exceptions import StarletteDeprecationWarning

from golive import accounts
from golive.clock import ManualClock
from golive.config import LoadedConfig, load_config
from golive.engine.pings import PingBook
from golive.exceptions import ConfigError
from golive.records import Bucket, CheckStatus
from golive.store import Store
from golive.store.state import flush
from golive.store.tables import Evidence
from golive.store.tables_monitor import Alert, AlertEvent, Notification
from golive.web import ReloadOutcome, StoreWrites
from golive.web.auth import PageOperator, PageUser
from golive.web.csrf import csrf_token

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
    pings: PingBook = field(default_factory=PingBook)

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


NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)


PASSWORD = "correct horse battery staple"


SILENCE = {"matchers": {"check": "db"}, "duration": "1h", "reason": "migrating"}


_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def add_user(runtime: FakeRuntime, name: str, role: str, password: str = PASSWORD) -> None:
    accounts.add_user(runtime.store, name=name, role=role, password=password, now=NOW)


def form_token(client: TestClient, path: str = "/login") -> str:
    """The CSRF token in the form of the page at ``path``."""
    match = _FIELD.search(client.get(path).text)
    assert match, f"no csrf_token field on {path}"
    return match.group(1)


def log_in(
    client: TestClient, name: str, password: str = PASSWORD, *, next: str | None = None
) -> httpx.Response:
    data = {"name": name, "password": password, "csrf_token": form_token(client)}
    if next is not None:
        data["next"] = next
    response: httpx.Response = client.post("/login", data=data, follow_redirects=False)
    return response


def with_test_pages(client: TestClient) -> TestClient:
    """Tiny HTML routes like the dashboard's: a viewer page, an operator page, a form."""
    router = APIRouter()

    async def page(request: Request, user: PageUser) -> HTMLResponse:
        return HTMLResponse(f'<p>{user.name}</p><meta name="csrf" content="{csrf_token(request)}">')

    async def operator_page(user: PageOperator) -> HTMLResponse:
        return HTMLResponse(f"<p>operating as {user.name}</p>")

    async def form(user: PageUser) -> HTMLResponse:  # CSRFMiddleware checks its token
        return HTMLResponse(f"<p>done by {user.actor}</p>")

    router.add_api_route("/test/page", page, methods=["GET"])
    router.add_api_route("/test/operator", operator_page, methods=["GET"])
    router.add_api_route("/test/form", form, methods=["POST"])
    client.app.include_router(router)  # type: ignore[attr-defined]
    return client


def page_token(client: TestClient) -> str:
    """The CSRF token of the client's session, as a page would render it."""
    response = client.get("/test/page", follow_redirects=False)
    assert response.status_code == 200, response.text
    match = re.search(r'name="csrf" content="([^"]+)"', response.text)
    assert match
    return match.group(1)


STATUS_CONFIG = """
version: 1
project: shop
server:
  status_page: {title: Shop status, public: PUBLIC}
components: [{name: API, description: The public API}, {name: Database}]
checks:
  - name: api-health
    component: API
    description: The public API answers
    http: {url: "${env:API_URL}"}
  - name: checkout
    component: API
    http: {url: "http://127.0.0.1:9/checkout"}
  - name: db
    component: Database
    tcp: {host: 127.0.0.1, port: 5432}
maintenance:
  - name: nightly
    cron: "0 3 * * *"
    duration: 1h
    checks: [db]
    message: Nightly backups
  - name: upgrade
    start: "2026-11-02T11:30:00Z"
    duration: 2h
    components: [Database]
    message: Database upgrade to version 17
"""


def write_status_config(path: Path, *, public: bool = True) -> Path:
    path.write_text(textwrap.dedent(STATUS_CONFIG).replace("PUBLIC", str(public).lower()))
    return path


def make_private(runtime: FakeRuntime) -> None:
    """``server.status_page.public: false`` from now on."""
    write_status_config(runtime.loaded.path, public=False)
    runtime.loaded = load_config(runtime.loaded.path, environ=runtime.environ)


def check_status(name: str, state: str, **extra: Any) -> CheckStatus:
    values: dict[str, Any] = {"last_ok": state != "down", "last_run_at": NOW, **extra}
    return CheckStatus(name=name, state=state, since=NOW - timedelta(hours=1), **values)  # type: ignore[arg-type]


def seed_event(
    store: Store,
    fingerprint: str,
    at: datetime,
    transition: str,
    *,
    started: datetime,
    **payload: Any,
) -> None:
    row = {
        "fingerprint": fingerprint,
        "at": at,
        "transition": transition,
        "payload": {"started_at": started.isoformat(), "silenced_by": None, **payload},
        "routed_at": None,
    }
    with store.engine.begin() as connection:
        connection.execute(insert(AlertEvent), row)


def seed_incident(
    store: Store,
    fingerprint: str,
    started: datetime,
    *,
    lasted: timedelta | None = None,
    check: str = "api-health",
    component: str = "API",
    severity: str = "high",
    held_by: str | None = None,
) -> None:
    """The implicit alert of ``check``: fired at ``started``, resolved ``lasted`` later."""
    resolved = started + lasted if lasted else None
    seed_alert(
        store,
        fingerprint,
        started,
        name=check,
        check=check,
        component=component,
        severity=severity,
        state="resolved" if resolved else "firing",
        resolved_at=resolved,
        silenced_by=None if resolved else held_by,
    )
    seed_event(store, fingerprint, started, "firing", started=started, silenced_by=held_by)
    if resolved:
        seed_event(store, fingerprint, resolved, "resolved", started=started)


def signed_in(make_client: MakeClient, runtime: FakeRuntime, name: str, role: str) -> TestClient:
    add_user(runtime, name, role)
    client = make_client()
    assert log_in(client, name).status_code == 303
    return client


MakeClient = Callable[..., TestClient]
