"""Silences and acknowledgements: operators create and expire, with validation."""

from __future__ import annotations

from datetime import timedelta

from tests.devkit.web import NOW, FakeRuntime, TestClient, bearer, seed_alert


def test_an_operator_creates_and_expires_a_silence(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    operator = bearer(tokens["operator"])
    created = client.post(
        "/api/silences",
        json={"matchers": {"check": "db"}, "duration": "2h", "reason": "failover test"},
        headers=operator,
    )
    assert created.status_code == 201
    silence = created.json()
    assert silence["matchers"] == {"check": "db"}
    assert silence["state"] == "active"
    assert silence["created_by"] == "token:operator-token"
    assert silence["ends_at"] == "2026-11-02T14:00:00Z"

    listed = client.get("/api/silences", headers=bearer(tokens["viewer"])).json()
    assert [s["id"] for s in listed["items"]] == [silence["id"]]

    runtime.clock.advance(timedelta(minutes=5))
    expired = client.post(f"/api/silences/{silence['id']}/expire", headers=operator)
    assert expired.status_code == 200
    assert expired.json()["state"] == "expired"
    assert expired.json()["expired_at"] == "2026-11-02T12:05:00Z"
    assert client.get("/api/silences", headers=operator).json()["items"] == []
    everything = client.get("/api/silences?expired=true", headers=operator).json()
    assert [s["state"] for s in everything["items"]] == ["expired"]
    again = client.post(f"/api/silences/{silence['id']}/expire", headers=operator)
    assert again.status_code == 409
    assert "already expired" in again.json()["detail"]
    assert client.post("/api/silences/999/expire", headers=operator).status_code == 404


def test_a_silence_that_breaks_the_schema_is_a_422(
    client: TestClient, tokens: dict[str, str]
) -> None:
    operator = bearer(tokens["operator"])
    cases = [
        {"matchers": {}, "duration": "1h", "reason": "x"},
        {"matchers": {"labels": {}}, "duration": "1h", "reason": "x"},
        {"matchers": {"check": None}, "duration": "1h", "reason": "x"},
        {"matchers": {"check": "db"}, "reason": "x"},
        {"matchers": {"check": "db"}, "duration": "1h", "ends_at": "2026-11-03T00:00:00Z"},
        {"matchers": {"check": "db"}, "duration": None, "ends_at": "2026-11-03T00:00:00Z"},
        {"matchers": {"check": "db"}, "ends_at": "2026-11-03T00:00:00", "reason": "naive"},
        {"matchers": {"check": "db"}, "ends_at": 1_800_000_000, "reason": "a number"},
        {"matchers": {"check": "db", "colour": "red"}, "duration": "1h", "reason": "x"},
        {"matchers": {"check": "db"}, "duration": "soon", "reason": "x"},
        {"matchers": {"check": "db"}, "duration": "1h", "reason": "  "},
    ]
    for body in cases:
        response = client.post("/api/silences", json=body, headers=operator)
        assert response.status_code == 422, body
        assert response.json()["type"] == "invalid_request"
        assert all(p["location"] == "body" for p in response.json()["problems"]), body
    empty = client.post("/api/silences", json=cases[0], headers=operator).json()
    (problem,) = empty["problems"]
    assert problem["field"] == "matchers"
    assert "at least one of check, component, alert or labels" in problem["message"]
    wrong_type = {"matchers": {"check": 5}, "duration": "1h", "reason": "x"}
    (problem,) = client.post("/api/silences", json=wrong_type, headers=operator).json()["problems"]
    assert (problem["field"], problem["input"]) == ("matchers.check", 5)


def test_a_silence_the_configuration_refuses_is_a_409(
    client: TestClient, tokens: dict[str, str]
) -> None:
    operator = bearer(tokens["operator"])
    cases = [
        {"matchers": {"check": "db"}, "ends_at": "2026-11-01T00:00:00Z", "reason": "past"},
        {"matchers": {"check": "nope"}, "duration": "1h", "reason": "typo"},
        {"matchers": {"component": "Nope"}, "duration": "1h", "reason": "typo"},
        {"matchers": {"labels": {"team": "nobody"}}, "duration": "1h", "reason": "matches none"},
        {"matchers": {"check": "db"}, "duration": "99999999999999w", "reason": "forever"},
        {
            "matchers": {"check": "db"},
            "duration": "1w",
            "reason": "x",
            "starts_at": "9999-12-31T00:00:00Z",
        },
    ]
    for body in cases:
        response = client.post("/api/silences", json=body, headers=operator)
        assert response.status_code == 409, body
    typo = client.post(
        "/api/silences",
        json={"matchers": {"check": "dbb"}, "duration": "1h", "reason": "typo"},
        headers=operator,
    )
    assert typo.json() == {"type": "conflict", "detail": "no check named 'dbb'; did you mean 'db'?"}


def test_an_operator_acknowledges_an_alert(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    firing, resolved = "a1" * 32, "b2" * 32
    seed_alert(runtime.store, firing, NOW - timedelta(minutes=3))
    seed_alert(runtime.store, resolved, NOW - timedelta(hours=3), state="resolved")
    viewer, operator = bearer(tokens["viewer"]), bearer(tokens["operator"])
    active = client.get("/api/alerts", headers=viewer).json()
    assert [a["fingerprint"] for a in active["items"]] == [firing]
    old = client.get("/api/alerts?state=resolved", headers=viewer).json()
    assert [a["fingerprint"] for a in old["items"]] == [resolved]
    both = client.get("/api/alerts?state=resolved&state=firing&limit=1", headers=viewer).json()
    assert [a["fingerprint"] for a in both["items"]] == [firing] and both["next_offset"] == 1

    acked = client.post(f"/api/alerts/{firing}/ack", headers=operator)
    assert acked.status_code == 200
    assert acked.json()["acknowledged_by"] == "token:operator-token"
    detail = client.get(f"/api/alerts/{firing}", headers=viewer).json()
    assert detail["acknowledged_at"] == "2026-11-02T12:00:00Z"
    assert detail["history"] == []
    assert client.post(f"/api/alerts/{firing}/ack", headers=operator).status_code == 200

    refused = client.post(f"/api/alerts/{resolved}/ack", headers=operator)
    assert refused.status_code == 409
    assert "resolved" in refused.json()["detail"]
    assert client.post("/api/alerts/nope/ack", headers=operator).status_code == 404
    assert client.get("/api/alerts/nope", headers=viewer).status_code == 404
    assert client.get("/api/alerts?state=bogus", headers=viewer).status_code == 422
