"""The switches later golive test stages flip: injected errors, latency, headers, rate limits."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from parkwise.middleware import SECURITY_HEADERS
from parkwise.ratelimit import FixedWindowLimiter
from parkwise.settings import RateLimit

from tests.devkit.parkwise import MakeClient, labels, samples


def test_an_error_rate_of_one_fails_every_api_request_but_not_health(
    make_client: MakeClient,
) -> None:
    client = make_client(error_rate=1.0)
    for _ in range(5):
        response = client.get("/api/facilities")
        assert response.status_code == 500
        assert response.json() == {"detail": "injected error"}
    assert client.get("/health").status_code == 200
    assert client.get("/").status_code == 200


def test_injected_errors_are_measured_under_their_route(make_client: MakeClient) -> None:
    client = make_client(error_rate=1.0)
    client.get("/api/facilities/1")
    client.post("/api/bookings", json={})
    found = samples(client)
    assert found["http_requests_total", labels("/api/facilities/{id}", status=500)] == 1
    assert found["http_requests_total", labels("/api/bookings", "POST", 500)] == 1


def test_a_partial_error_rate_is_repeatable_with_a_seed(make_client: MakeClient) -> None:
    def statuses() -> list[int]:
        client = make_client(error_rate=0.3, seed=7)
        return [client.get("/api/facilities").status_code for _ in range(200)]

    first = statuses()
    assert first == statuses()
    assert 30 <= first.count(500) <= 90
    assert set(first) == {200, 500}


def test_injected_latency_delays_api_requests_only(make_client: MakeClient) -> None:
    client = make_client(latency_ms=120)
    started = time.perf_counter()
    client.get("/api/facilities")
    assert time.perf_counter() - started >= 0.12
    started = time.perf_counter()
    client.get("/health")
    assert time.perf_counter() - started < 0.12


def test_injected_latency_shows_in_the_histogram(make_client: MakeClient) -> None:
    client = make_client(latency_ms=60)
    client.get("/api/facilities/1")
    found = samples(client)
    route = "/api/facilities/{id}"
    assert found["http_request_duration_seconds_bucket", labels(route, le="0.05")] == 0
    assert found["http_request_duration_seconds_bucket", labels(route, le="5.0")] == 1
    assert found["http_request_duration_seconds_sum", labels(route)] >= 0.06


def test_security_headers_are_absent_by_default(client: TestClient) -> None:
    response = client.get("/")
    assert not set(SECURITY_HEADERS) & set(response.headers)


def test_security_headers_are_on_every_response_when_enabled(make_client: MakeClient) -> None:
    client = make_client(security_headers=True, error_rate=1.0)
    for path in ("/", "/health", "/metrics", "/nowhere", "/api/facilities"):
        response = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (path, name)
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "default-src 'none'" in csp


def test_requests_over_the_rate_limit_get_429_with_retry_after(make_client: MakeClient) -> None:
    client = make_client(rate_limit=RateLimit(limit=3, window_seconds=30))
    remaining = [client.get("/api/facilities").headers["RateLimit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    refused = client.get("/api/facilities/1")
    assert refused.status_code == 429
    assert refused.json() == {"detail": "rate limit exceeded"}
    assert refused.headers["RateLimit-Limit"] == "3"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert 1 <= int(refused.headers["Retry-After"]) <= 30
    assert refused.headers["RateLimit-Reset"] == refused.headers["Retry-After"]
    assert client.get("/health").status_code == 200  # only /api/* is limited
    found = samples(client)
    assert found["http_requests_total", labels("/api/facilities/{id}", status=429)] == 1


def test_the_rate_limit_window_resets_and_is_per_client() -> None:
    now = [1000.0]
    limiter = FixedWindowLimiter(RateLimit(limit=2, window_seconds=10), clock=lambda: now[0])
    assert [limiter.hit("a").allowed for _ in range(3)] == [True, True, False]
    assert limiter.hit("b").allowed
    now[0] += 4
    refused = limiter.hit("a")
    assert (refused.allowed, refused.reset_s) == (False, 6)
    now[0] += 6
    assert limiter.hit("a").allowed
    assert limiter.hit("a").remaining == 0


def test_the_limiter_forgets_clients_whose_window_has_passed() -> None:
    now = [0.0]
    limiter = FixedWindowLimiter(RateLimit(limit=1, window_seconds=1), clock=lambda: now[0])
    for n in range(1000):
        limiter.hit(f"10.0.{n // 256}.{n % 256}")
    now[0] += 5
    for n in range(100):
        limiter.hit(f"192.0.2.{n}")
    assert len(limiter._windows) <= 100
