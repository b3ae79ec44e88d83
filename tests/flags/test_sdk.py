"""The SDK against a real ``golive serve``: local evaluation, ETag refreshes, background
refresh, the OpenFeature provider, and last-known values (memory and disk) once it is stopped."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openfeature import api
from openfeature.evaluation_context import EvaluationContext

from devkit.ports import free_port
from golive.clock import SystemClock
from golive.flags.client import FlagClient
from golive.flags.openfeature import GoliveProvider
from golive.store.tokens import create_token
from tests.devkit.serve import Serve, store_of, wait_for

CONFIG = """\
version: 1
project: shop
environment: production
server: {{listen: "127.0.0.1:{port}"}}
flags:
  - {{name: analytics-dashboard, enabled: true, rollout: 100%, roles: [ADMIN, SUPPORT]}}
  - {{name: mobile-pwa-install, enabled: true, rollout: 25%, environments: [production]}}
"""


@dataclass
class Served:
    url: str
    viewer: str
    operator: str
    serve: Serve
    folder: Path

    def patch(self, name: str, body: dict[str, object]) -> None:
        request = urllib.request.Request(
            f"{self.url}/api/flags/{name}",
            data=json.dumps(body).encode(),
            method="PATCH",
            headers={
                "Authorization": f"Bearer {self.operator}",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    config = tmp_path / "golive.yaml"
    config.write_text(CONFIG.format(port=port))
    now = SystemClock().now()
    with store_of(config) as store:
        viewer = create_token(store, "sdk", "viewer", now)
        operator = create_token(store, "ops", "operator", now)
    serve = Serve()
    try:
        serve(config, port)
        yield Served(f"http://127.0.0.1:{port}", viewer, operator, serve, tmp_path)
    finally:
        serve.stop_all()


def test_the_sdk_keeps_last_known_values_when_golive_stops(served: Served) -> None:
    cache = served.folder / "flags-cache.json"
    client = FlagClient(served.url, served.viewer, refresh=0, cache=cache)
    assert client.snapshot.source == "server"
    users = [str(n) for n in range(200)]
    before = {u: client.is_enabled("mobile-pwa-install", {"user_id": u}) for u in users}
    assert 10 < sum(before.values()) < 90  # 25% of 200, the environment from golive's config
    assert client.is_enabled("analytics-dashboard", {"roles": ["ADMIN"]}) is True
    etag = client.snapshot.etag
    assert client.refresh_now() is True
    assert client.snapshot.etag == etag  # a 304: nothing changed

    served.patch("mobile-pwa-install", {"rollout": 100, "reason": "all in"})
    assert client.refresh_now() is True
    assert client.snapshot.etag != etag
    assert all(client.is_enabled("mobile-pwa-install", {"user_id": u}) for u in users)

    assert served.serve.stop_all() is not None
    assert client.refresh_now() is False
    assert client.last_error is not None
    assert client.is_enabled("mobile-pwa-install", {"user_id": "3"}) is True  # last known
    assert client.evaluation("nope", default=True).error_code == "FLAG_NOT_FOUND"

    restarted = FlagClient(served.url, served.viewer, refresh=0, cache=cache, timeout=1)
    assert restarted.snapshot.source == "cache"
    assert restarted.is_enabled("mobile-pwa-install", {"user_id": "3"}) is True
    assert served.viewer not in cache.read_text()

    never = FlagClient(served.url, served.viewer, refresh=0, timeout=1)
    result = never.evaluation("mobile-pwa-install", {"user_id": "3"}, default=True)
    assert (result.value, result.error_code) == (True, "PROVIDER_NOT_READY")


def test_the_background_refresh_picks_up_a_change(served: Served) -> None:
    with FlagClient(served.url, served.viewer, refresh=0.05) as client:
        assert client.is_enabled("analytics-dashboard", {"roles": ["ADMIN"]}) is True
        served.patch("analytics-dashboard", {"enabled": False})
        wait_for(
            lambda: not client.is_enabled("analytics-dashboard", {"roles": ["ADMIN"]}),
            what="the background refresh to see the change",
        )


def test_the_openfeature_provider_answers_through_the_openfeature_api(served: Served) -> None:
    provider = GoliveProvider(FlagClient(served.url, served.viewer, refresh=0))
    api.set_provider(provider, domain="golive-test")
    try:
        of = api.get_client(domain="golive-test")
        admin = EvaluationContext(targeting_key="u-1", attributes={"roles": ["ADMIN"]})
        details = of.get_boolean_details("analytics-dashboard", False, admin)
        assert (details.value, details.reason) == (True, "TARGETING_MATCH")
        visitor = EvaluationContext(targeting_key="u-1", attributes={"roles": ["USER"]})
        assert of.get_boolean_value("analytics-dashboard", True, visitor) is False
        split = of.get_boolean_details("mobile-pwa-install", False, EvaluationContext("u-1"))
        assert split.reason == "SPLIT"
        missing = of.get_boolean_details("nope", True, admin)
        assert (missing.value, missing.error_code) == (True, "FLAG_NOT_FOUND")
        wrong = of.get_string_details("analytics-dashboard", "x", admin)
        assert (wrong.value, wrong.error_code) == ("x", "TYPE_MISMATCH")
    finally:
        api.clear_providers()
