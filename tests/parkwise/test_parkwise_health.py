"""``GET /health`` checks SQLite/PostgreSQL and Redis for real on every call."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from parkwise.settings import Settings

from devkit.ports import free_port
from devkit.servers import RedisServer
from tests.devkit.parkwise import MakeClient, TestClient

FACILITIES_KEY = "parkwise:facilities:v1"


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    """The shared test Redis, on a database index of its own and without our keys."""
    url = redis_server.url.rsplit("/", 1)[0] + "/11"
    with redis.Redis.from_url(url) as client:
        client.delete(FACILITIES_KEY)
        yield url


def test_health_is_healthy_with_sqlite_and_redis_disabled(make_client: MakeClient) -> None:
    response = make_client(version="1.2.3").get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "healthy"
    assert body["version"] == "1.2.3"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["latency_ms"] >= 0
    assert body["checks"]["redis"] == {"status": "disabled"}
    assert response.headers["Cache-Control"] == "no-store"


def test_health_is_degraded_when_the_database_loses_its_tables(client: TestClient) -> None:
    client.app.state.parkwise.db.query("DROP TABLE bookings")  # type: ignore[attr-defined]
    client.app.state.parkwise.db.query("DROP TABLE facilities")  # type: ignore[attr-defined]
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "error"
    assert "facilities" in body["checks"]["database"]["error"]
    assert body["checks"]["redis"] == {"status": "disabled"}


def test_health_is_degraded_when_the_database_file_is_corrupted(
    client: TestClient, settings: Settings
) -> None:
    settings.sqlite_path.write_bytes(b"this is not a database" * 100)
    response = client.get("/health")
    assert response.status_code == 503
    assert "not a database" in response.json()["checks"]["database"]["error"]


def test_api_requests_answer_503_when_the_database_fails(
    client: TestClient, settings: Settings
) -> None:
    settings.sqlite_path.write_bytes(b"this is not a database" * 100)
    response = client.get("/api/facilities")
    assert response.status_code == 503
    assert response.json() == {"detail": "database unavailable"}


def test_health_is_degraded_when_redis_is_down(make_client: MakeClient) -> None:
    client = make_client(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    started = time.perf_counter()
    response = client.get("/health")
    assert time.perf_counter() - started < 2
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["redis"]["status"] == "error"
    assert "refused" in body["checks"]["redis"]["error"].lower()


def test_health_is_healthy_when_redis_answers(make_client: MakeClient, redis_url: str) -> None:
    response = make_client(redis_url=redis_url).get("/health")
    assert response.status_code == 200
    redis_check = response.json()["checks"]["redis"]
    assert redis_check["status"] == "ok"
    assert redis_check["latency_ms"] >= 0


def test_health_follows_redis_going_down_and_coming_back(
    make_client: MakeClient, tmp_path: Path
) -> None:
    port = free_port()
    server = RedisServer.start(tmp_path / "redis", port=port)
    try:
        client = make_client(redis_url=server.url)
        assert client.get("/health").status_code == 200
        server.stop()
        down = client.get("/health")
        assert down.status_code == 503
        assert down.json()["checks"]["redis"]["status"] == "error"
        server = RedisServer.start(tmp_path / "redis-again", port=port)
        assert client.get("/health").status_code == 200
    finally:
        server.stop()


def test_facilities_are_cached_in_redis_for_five_seconds(
    make_client: MakeClient, redis_url: str
) -> None:
    client = make_client(redis_url=redis_url)
    first = client.get("/api/facilities")
    second = client.get("/api/facilities")
    assert first.headers["X-Cache"] == "MISS"
    assert second.headers["X-Cache"] == "HIT"
    assert first.json() == second.json()
    with redis.Redis.from_url(redis_url) as direct:
        assert 0 < direct.pttl(FACILITIES_KEY) <= 5000


def test_facilities_are_still_served_when_redis_is_down(make_client: MakeClient) -> None:
    client = make_client(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    response = client.get("/api/facilities")
    assert response.status_code == 200
    assert response.headers["X-Cache"] == "MISS"
    assert len(response.json()) == 3
