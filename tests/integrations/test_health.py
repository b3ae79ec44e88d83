"""``golive.integrations.health`` against a real PostgreSQL and Redis, served over ASGI
(Starlette's test client) and over WSGI (a real ``wsgiref`` server)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx
import pytest
from starlette.applications import Starlette

from devkit.servers import PostgresServer, RedisServer
from golive.integrations.asgi import health_route
from golive.integrations.health import Component, Health, cache, database, disk, memory
from golive.integrations.wsgi import Environ, StartResponse, with_health
from tests.devkit.parkwise import TestClient

DOWN_DSN = "postgresql://app@127.0.0.1:1/app"
DOWN_REDIS = "redis://127.0.0.1:1/0"


def test_a_real_database_and_cache_are_healthy(
    postgres_server: PostgresServer, redis_server: RedisServer
) -> None:
    health = Health({"database": database(postgres_server.dsn()), "redis": cache(redis_server.url)})
    status, body = Health(health.components, version="2.0.0").report()
    assert status == 200
    assert body["status"] == "healthy" and body["version"] == "2.0.0"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"]["status"] == "ok"
    assert body["checks"]["redis"]["latency_ms"] >= 0


def test_an_unreachable_database_or_cache_is_degraded_with_the_reason() -> None:
    status, body = Health({"database": database(DOWN_DSN), "redis": cache(DOWN_REDIS)}).report()
    assert status == 503
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "error"
    assert "port 1 failed" in body["checks"]["database"]["error"]
    assert "refused" in body["checks"]["redis"]["error"].lower()


def test_a_sqlite_database_and_a_callable_are_components(tmp_path: Path) -> None:
    missing = database(f"sqlite:///{tmp_path / 'missing.db'}")
    calls: list[str] = []
    status, body = Health({"database": missing, "queue": lambda: calls.append("x")}).report()
    assert status == 503
    assert body["checks"]["database"]["error"] == "unable to open database file"
    assert body["checks"]["queue"]["status"] == "ok" and calls == ["x"]


def test_a_disabled_component_and_a_password_in_an_error_are_shown_safely() -> None:
    def broken() -> None:
        raise RuntimeError("cannot reach redis://:hunter2-pass@127.0.0.1:1/0\nmore lines")

    status, body = Health({"redis": None, "broker": broken}).report()
    assert status == 503
    assert body["checks"]["redis"] == {"status": "disabled"}
    assert body["checks"]["broker"]["error"] == "cannot reach redis://:***@127.0.0.1:1/0"


def test_memory_and_disk_over_their_limits_warn_unless_critical() -> None:
    status, body = Health(
        {"memory": memory(max_rss_mb=1), "disk": disk("/", min_free_pct=101)}
    ).report()
    assert status == 200  # warnings, as the seeds' /health treats memory
    assert body["checks"]["memory"]["status"] == "warning"
    assert body["checks"]["memory"]["error"].startswith("resident memory ")
    assert body["checks"]["disk"]["error"].endswith("under 101%")
    status, body = Health({"memory": memory(max_rss_mb=1, critical=True)}).report()
    assert status == 503 and body["checks"]["memory"]["status"] == "error"
    status, _ = Health(
        {"memory": memory(max_rss_mb=1 << 20), "disk": disk("/", min_free_pct=0)}
    ).report()
    assert status == 200


def test_starlette_serves_the_report(redis_server: RedisServer) -> None:
    components: dict[str, Component | None] = {"redis": cache(redis_server.url)}
    app = Starlette(routes=[health_route(Health(components, version="1.0"))])
    with TestClient(app) as client:
        response = client.get("/health")
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        assert response.json()["checks"]["redis"]["status"] == "ok"
        components["redis"] = cache(DOWN_REDIS)
        assert client.get("/health").status_code == 503


@pytest.fixture
def wsgi_server() -> Iterator[str]:
    """A real ``wsgiref`` server: an app with ``with_health``, its database down."""

    def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"the app itself"]

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    wrapped = with_health(app, Health({"database": database(DOWN_DSN)}, version="3"))
    server: WSGIServer = make_server("127.0.0.1", 0, wrapped, handler_class=Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_a_wsgi_app_answers_health_beside_its_own_routes(wsgi_server: str) -> None:
    response = httpx.get(f"{wsgi_server}/health")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    body = json.loads(response.text)
    assert body["status"] == "degraded" and body["version"] == "3"
    assert httpx.get(f"{wsgi_server}/other").text == "the app itself"
