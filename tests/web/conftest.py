"""Fixtures of the web tests: a config file, a real SQLite store, a runtime, clients, tokens."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from golive import accounts
from golive.clock import ManualClock
from golive.config import load_config
from golive.store import Store, normalise_url
from golive.store.tokens import create_token
from golive.web import RateLimits, create_app
from tests.devkit.web import NOW, FakeRuntime, MakeClient, TestClient

SECRET_PASSWORD = "hunter2-very-secret"
SECRET_URL = f"http://monitor:{SECRET_PASSWORD}@127.0.0.1:9/health?key=abc123"
CONFIG = """
version: 1
project: shop
components: [{name: API}, {name: Database}]
checks:
  - name: api-health
    component: API
    description: The public API answers
    http: {url: "${env:API_URL}"}
  - name: checkout
    component: API
    description: Buying works end to end
    http: {url: "http://127.0.0.1:9/checkout"}
  - name: db
    component: Database
    tcp: {host: 127.0.0.1, port: 5432}
maintenance:
  - name: nightly
    cron: "0 3 * * *"
    duration: 1h
    checks: [db]
"""


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """Passwords hashed with argon2id at 8 KiB and one pass instead of 64 MiB and three: the
    same code path, ~1 ms instead of ~0.2-1 s a hash, and the web tests hash and verify
    hundreds. ``test_passwords_are_stored_as_argon2_hashes_only`` checks the real parameters."""
    monkeypatch.setattr(
        accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    path = tmp_path / "golive.yaml"
    path.write_text(textwrap.dedent(CONFIG))
    return path


@pytest.fixture
def runtime(tmp_path: Path, config_path: Path) -> Iterator[FakeRuntime]:
    environ = {"API_URL": SECRET_URL}
    store = Store.open(normalise_url("sqlite:///state/golive.db", tmp_path))
    yield FakeRuntime(
        loaded=load_config(config_path, environ=environ),
        store=store,
        clock=ManualClock(NOW),
        environ=environ,
    )
    store.close()


@pytest.fixture
def make_client(runtime: FakeRuntime) -> Iterator[MakeClient]:
    """``make_client(limits=..., client=("10.0.0.2", 1), base_url=...)``."""
    with ExitStack() as stack:

        def make(*, limits: RateLimits | None = None, **options: Any) -> TestClient:
            app = create_app(runtime, limits=limits)
            client = TestClient(app, raise_server_exceptions=False, **options)
            return stack.enter_context(client)

        yield make


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


@pytest.fixture
def tokens(runtime: FakeRuntime) -> dict[str, str]:
    """A token for each role, by role."""
    return {
        role: create_token(runtime.store, f"{role}-token", role, NOW)
        for role in ("viewer", "operator", "admin")
    }
