"""Bearer tokens and roles: viewers read, operators silence, admins manage tokens."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from golive.store.tables_monitor import Token
from golive.store.tokens import create_token, list_tokens, verify_token
from tests.devkit.web import NOW, FakeRuntime, TestClient, bearer

SILENCE = {"matchers": {"check": "db"}, "duration": "1h", "reason": "migrating"}


def test_api_requires_a_bearer_token(client: TestClient, tokens: dict[str, str]) -> None:
    for headers in ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, bearer("glv_nope")):
        response = client.get("/api/checks", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert "token" in response.json()["detail"]
    assert client.get("/api/checks", headers=bearer(tokens["viewer"])).status_code == 200


def test_a_viewer_reads_but_cannot_silence(client: TestClient, tokens: dict[str, str]) -> None:
    viewer = bearer(tokens["viewer"])
    for path in (
        "/api/checks",
        "/api/checks/db",
        "/api/alerts",
        "/api/silences",
        "/api/maintenance",
        "/api/evidence",
        "/api/notifications",
        "/metrics",
    ):
        assert client.get(path, headers=viewer).status_code == 200, path
    response = client.post("/api/silences", json=SILENCE, headers=viewer)
    assert response.status_code == 403
    assert response.json() == {
        "type": "forbidden",
        "detail": "this needs the operator role or above",
    }
    assert client.post("/api/silences/1/expire", headers=viewer).status_code == 403
    assert client.post("/api/alerts/abc/ack", headers=viewer).status_code == 403
    assert client.get("/api/silences", headers=viewer).json()["items"] == []


def test_only_admins_manage_tokens(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    for role in ("viewer", "operator"):
        headers = bearer(tokens[role])
        assert client.get("/api/tokens", headers=headers).status_code == 403
        created = client.post("/api/tokens", json={"name": "x", "role": "admin"}, headers=headers)
        assert created.status_code == 403
        assert client.post("/api/tokens/1/revoke", headers=headers).status_code == 403
        assert client.post("/api/reload", headers=headers).status_code == 403

    admin = bearer(tokens["admin"])
    created = client.post("/api/tokens", json={"name": "ci", "role": "viewer"}, headers=admin)
    assert created.status_code == 201
    body = created.json()
    assert body["name"] == "ci" and body["role"] == "viewer" and body["active"] is True
    assert body["token"].startswith("glv_")
    assert client.get("/api/checks", headers=bearer(body["token"])).status_code == 200

    listed = client.get("/api/tokens", headers=admin).json()
    assert [t["name"] for t in listed] == ["viewer-token", "operator-token", "admin-token", "ci"]
    assert all("token" not in t and "token_hash" not in t for t in listed)
    bad = client.post("/api/tokens", json={"name": "x", "role": "root"}, headers=admin)
    assert bad.status_code == 422
    assert client.post("/api/tokens/999/revoke", headers=admin).status_code == 404


def test_revoked_tokens_are_refused(client: TestClient, tokens: dict[str, str]) -> None:
    admin = bearer(tokens["admin"])
    operator = bearer(tokens["operator"])
    assert client.get("/api/alerts", headers=operator).status_code == 200
    token_id = next(
        t["id"] for t in client.get("/api/tokens", headers=admin).json() if t["role"] == "operator"
    )
    revoked = client.post(f"/api/tokens/{token_id}/revoke", headers=admin)
    assert revoked.status_code == 200
    assert revoked.json()["active"] is False
    assert revoked.json()["revoked_at"] == NOW.isoformat().replace("+00:00", "Z")
    assert client.get("/api/alerts", headers=operator).status_code == 401
    again = client.post(f"/api/tokens/{token_id}/revoke", headers=admin)
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]
    active = client.get("/api/tokens?revoked=false", headers=admin).json()
    assert "operator-token" not in [t["name"] for t in active]


def test_tokens_are_stored_only_as_hashes(runtime: FakeRuntime) -> None:
    plaintext = create_token(runtime.store, "ci", "operator", NOW)
    assert plaintext.startswith("glv_") and len(plaintext) == 4 + 43
    with runtime.store.engine.connect() as connection:
        rows = connection.execute(select(Token)).mappings().all()
    assert [row["token_hash"] for row in rows] == [hashlib.sha256(plaintext.encode()).hexdigest()]
    dumped = repr([dict(row) for row in rows])
    assert plaintext not in dumped and plaintext.removeprefix("glv_") not in dumped
    (view,) = list_tokens(runtime.store)
    assert view.name == "ci" and view.role == "operator" and view.last_used_at is None
    assert "glv_" not in repr(view)


def test_a_token_records_its_use_at_most_once_a_minute(runtime: FakeRuntime) -> None:
    plaintext = create_token(runtime.store, "ci", "viewer", NOW)
    first = verify_token(runtime.store, plaintext, NOW)
    assert first is not None and first.last_used_at == NOW
    later = NOW.replace(second=30)
    second = verify_token(runtime.store, plaintext, later)
    assert second is not None and second.last_used_at == NOW
    much_later = NOW.replace(minute=1, second=1)
    third = verify_token(runtime.store, plaintext, much_later)
    assert third is not None and third.last_used_at == much_later
    assert verify_token(runtime.store, plaintext + "x", NOW) is None
    assert verify_token(runtime.store, "glv_" + "A" * 43, NOW) is None
