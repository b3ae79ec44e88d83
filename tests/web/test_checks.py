"""``/api/checks``: state keyed by name, filters, paging, and one check with its history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from golive.records import CheckStatus
from golive.store.tables_monitor import CheckState
from tests.devkit.web import NOW, FakeRuntime, TestClient, bearer, seed_evidence, seed_rollup


def test_checks_are_keyed_by_name_and_filterable(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    runtime.live["api-health"] = CheckStatus("api-health", "up", NOW - timedelta(hours=1))
    runtime.live["checkout"] = CheckStatus(
        "checkout", "down", NOW - timedelta(minutes=5), consecutive_failures=3, last_ok=False
    )
    runtime.windows["db"] = "nightly"
    viewer = bearer(tokens["viewer"])

    everything = client.get("/api/checks", headers=viewer).json()
    assert list(everything["checks"]) == ["api-health", "checkout", "db"]
    assert everything["total"] == 3 and everything["next_offset"] is None
    checkout = everything["checks"]["checkout"]
    assert checkout["state"] == "down"
    assert checkout["since"] == "2026-11-02T11:55:00Z"
    assert checkout["consecutive_failures"] == 3
    assert checkout["kind"] == "http" and checkout["component"] == "API"
    db = everything["checks"]["db"]
    assert db["state"] == "unknown" and db["since"] is None
    assert db["maintenance"] == "nightly"

    def names(query: str) -> list[str]:
        response = client.get(f"/api/checks?{query}", headers=viewer)
        assert response.status_code == 200, response.text
        return list(response.json()["checks"])

    assert names("state=down") == ["checkout"]
    assert names("state=unknown") == ["db"]
    assert names("component=API") == ["api-health", "checkout"]
    assert names("component=API&state=up") == ["api-health"]
    assert names("q=BUYING") == ["checkout"]
    assert names("q=database") == ["db"]
    assert names("q=nothing-like-this") == []
    page = client.get("/api/checks?limit=2", headers=viewer).json()
    assert list(page["checks"]) == ["api-health", "checkout"] and page["next_offset"] == 2
    assert names("limit=2&offset=2") == ["db"]
    for bad in ("state=sideways", "limit=0", "offset=-1", "q="):
        assert client.get(f"/api/checks?{bad}", headers=viewer).status_code == 422, bad


def test_a_check_missing_from_memory_shows_its_stored_state(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    with runtime.store.engine.begin() as connection:
        connection.execute(
            insert(CheckState),
            {"name": "db", "state": "down", "since": NOW, "last_failed": [], "last_ok": False},
        )
    db = client.get("/api/checks", headers=bearer(tokens["viewer"])).json()["checks"]["db"]
    assert db["state"] == "down" and db["last_ok"] is False


def test_check_detail_has_history_and_rollups(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    runtime.live["checkout"] = CheckStatus(
        "checkout",
        "down",
        NOW - timedelta(minutes=2),
        last_failed=[{"expect": "status == 200", "values": {"status": 503}}],
        last_error=None,
    )
    for minute in range(60):
        seed_evidence(runtime.store, "checkout", minute % 2 == 0, NOW - timedelta(minutes=minute))
    seed_evidence(runtime.store, "api-health", True, NOW)
    for hours_ago, runs, failures in ((1, 60, 0), (2, 60, 6), (30, 60, 60)):
        bucket = NOW - timedelta(hours=hours_ago)
        seed_rollup(runtime.store, "checkout", bucket, runs, failures)
    viewer = bearer(tokens["viewer"])

    detail = client.get("/api/checks/checkout", headers=viewer).json()
    assert detail["state"] == "down"
    assert detail["last_failed"] == [{"expect": "status == 200", "values": {"status": 503}}]
    evidence = detail["evidence"]
    assert len(evidence) == 50
    assert {e["subject"] for e in evidence} == {"checkout"}
    assert evidence[0]["taken_at"] == "2026-11-02T12:00:00Z"
    assert evidence[0] == detail["last_result"]
    assert evidence[0]["fresh"] is True and evidence[-1]["fresh"] is False
    times = [e["taken_at"] for e in evidence]
    assert times == sorted(times, reverse=True)

    rollups = detail["rollups"]
    assert rollups["resolution"] == "hour"
    assert [b["bucket"] for b in rollups["buckets"]] == [
        "2026-11-02T10:00:00Z",
        "2026-11-02T11:00:00Z",
    ]
    assert rollups["runs"] == 120 and rollups["failures"] == 6
    assert rollups["uptime"] == 0.95
    assert rollups["buckets"][0]["latency_avg_ms"] == 10.0
    assert len(rollups["latency_bounds_ms"]) + 1 == len(rollups["buckets"][0]["latency_hist"])

    week = client.get("/api/checks/checkout/rollups?since=2026-10-30T00:00:00Z", headers=viewer)
    assert week.status_code == 200
    assert week.json()["runs"] == 180
    paged = client.get("/api/evidence?subject=checkout&limit=10&offset=50", headers=viewer).json()
    assert len(paged["items"]) == 10 and paged["next_offset"] is None
    failures = client.get("/api/evidence?subject=checkout&ok=false&limit=500", headers=viewer)
    assert len(failures.json()["items"]) == 30

    missing = client.get("/api/checks/nope", headers=viewer)
    assert missing.status_code == 404
    assert missing.json() == {"type": "not_found", "detail": "no check 'nope'"}
    assert client.get("/api/checks/nope/rollups", headers=viewer).status_code == 404
    naive = client.get("/api/checks/checkout/rollups?since=2026-10-30T00:00:00", headers=viewer)
    assert naive.status_code == 422
    as_number = client.get("/api/checks/checkout/rollups?until=0.5", headers=viewer)
    assert as_number.status_code == 422  # a time is RFC 3339 text, not a number
    assert as_number.json()["problems"][0]["location"] == "query"
    assert as_number.json()["problems"][0]["field"] == "until"
    too_many = client.get(
        "/api/checks/checkout/rollups?resolution=minute&since=2025-01-01T00:00:00Z"
        "&until=2026-11-02T12:00:00Z",
        headers=viewer,
    )
    assert too_many.status_code == 200  # at most 10,000 buckets: since moves forward
    assert too_many.json()["start"] == "2026-10-26T13:20:00Z"
    backwards = client.get(
        "/api/checks/checkout/rollups?since=2026-11-02T12:00:00Z&until=2026-11-01T12:00:00Z",
        headers=viewer,
    )
    assert backwards.status_code == 200
    assert backwards.json()["buckets"] == []
