"""``/healthz``, ``/metrics``, reload, and the OpenAPI document."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from golive.exceptions import StoreError
from golive.store import Store, history
from golive.web import api, system
from tests.devkit.web import FakeRuntime, TestClient, bearer


def test_healthz_is_public(client: TestClient, runtime: FakeRuntime, tmp_path: Path) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    assert "ratelimit-limit" not in answer.headers

    working = runtime.store
    runtime.store = Store(create_engine(f"sqlite:///{tmp_path}/no/such/folder/golive.db"))
    try:
        broken = client.get("/healthz")
    finally:
        runtime.store = working
    assert broken.status_code == 503
    assert broken.json() == {"status": "unavailable"}


def test_metrics_are_in_prometheus_format(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    runtime.check_up.labels("checkout").set(0)
    assert client.get("/metrics").status_code == 401
    answer = client.get("/metrics", headers=bearer(tokens["viewer"]))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    families = {f.name: f for f in text_string_to_metric_families(answer.text)}
    (sample,) = families["golive_check_up"].samples
    assert sample.labels == {"check": "checkout"} and sample.value == 0


def test_a_bad_reload_is_refused_with_the_reason(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime, config_path: Path
) -> None:
    admin = bearer(tokens["admin"])
    good = config_path.read_text()
    config_path.write_text(good.replace("port: 5432", "port: 99999"))
    refused = client.post("/api/reload", headers=admin)
    assert refused.status_code == 409
    body = refused.json()
    assert body["type"] == "conflict"
    assert f"{config_path}:" in body["detail"] and "65535" in body["detail"]
    checks = client.get("/api/checks", headers=admin).json()["checks"]
    assert list(checks) == ["api-health", "checkout", "db"]  # the old config still runs

    config_path.write_text(
        good.replace("  - name: db\n", "  - name: database\n").replace(
            "checks: [db]", "checks: [database]"
        )
    )
    accepted = client.post("/api/reload", headers=admin)
    assert accepted.status_code == 200
    assert accepted.json() == {"ok": True, "message": "reloaded: 3 checks"}
    checks = client.get("/api/checks", headers=admin).json()["checks"]
    assert list(checks) == ["api-health", "checkout", "database"]


def test_openapi_lists_every_route(client: TestClient, tokens: dict[str, str]) -> None:
    assert client.get("/api/openapi.json").status_code == 401
    answer = client.get("/api/openapi.json", headers=bearer(tokens["viewer"]))
    assert answer.status_code == 200
    document = answer.json()
    routes = {
        (route.path_format, method.lower())  # {name:flag} is {name} in the document
        for router in [*api.routers(), system.build()]
        for route in router.routes
        if isinstance(route, APIRoute) and route.include_in_schema
        for method in route.methods or ()
    }
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert routes == documented
    assert {path for path, _ in routes} >= {
        "/api/checks",
        "/api/checks/{name}",
        "/api/alerts",
        "/api/silences",
        "/api/silences/{silence_id}/expire",
        "/api/maintenance",
        "/api/evidence",
        "/api/notifications",
        "/api/tokens",
        "/api/reload",
        "/metrics",
        "/healthz",
    }
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    checks = document["paths"]["/api/checks"]["get"]
    assert checks["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CheckList"
    }
    assert {"401", "403", "429"} <= set(checks["responses"])


def test_maintenance_lists_windows_and_who_is_in_them(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    viewer = bearer(tokens["viewer"])
    (window,) = client.get("/api/maintenance", headers=viewer).json()["windows"]
    assert window["name"] == "nightly" and window["duration_s"] == 3600
    assert window["active"] is False and window["active_checks"] == []
    runtime.windows["db"] = "nightly"
    (window,) = client.get("/api/maintenance", headers=viewer).json()["windows"]
    assert window["active"] is True and window["active_checks"] == ["db"]


def test_an_unreachable_store_is_a_503_not_a_crash(
    client: TestClient,
    tokens: dict[str, str],
    runtime: FakeRuntime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    viewer = bearer(tokens["viewer"])

    def locked(*_args: object, **_kwargs: object) -> None:
        raise StoreError("cannot read the store: database is locked")

    monkeypatch.setattr(history, "evidence", locked)  # fails after the token was checked
    answer = client.get("/api/evidence", headers=viewer)
    assert answer.status_code == 503
    assert answer.json() == {"type": "unavailable", "detail": "store unavailable"}

    runtime.store = Store(create_engine(f"sqlite:///{tmp_path}/no/such/folder/golive.db"))
    for path in ("/api/checks", "/api/evidence", "/api/alerts"):
        with_token = client.get(path, headers=viewer)
        assert with_token.status_code == 503, path
        assert with_token.json() == {"type": "unavailable", "detail": "store unavailable"}
        assert with_token.headers["x-frame-options"] == "DENY"
