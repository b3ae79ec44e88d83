"""Secrets never leave through the API, even when something upstream failed to redact them."""

from __future__ import annotations

from datetime import timedelta

from golive.records import CheckStatus
from tests.devkit.web import (
    FakeRuntime,
    TestClient,
    bearer,
    seed_alert,
    seed_evidence,
    seed_notification,
)
from tests.web.conftest import NOW, SECRET_PASSWORD, SECRET_URL

FINGERPRINT = "c3" * 32


def test_secrets_never_appear_in_api_output(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    leak = f"GET {SECRET_URL} failed for monitor:{SECRET_PASSWORD}"
    runtime.live["api-health"] = CheckStatus(
        "api-health",
        "down",
        NOW,
        last_error=leak,
        last_failed=[{"expect": "status == 200", "values": {"url": SECRET_URL}}],
    )
    seed_evidence(
        runtime.store,
        "api-health",
        False,
        NOW,
        error=leak,
        values={"url": SECRET_URL, "api_token": "plain-token-value", "nested": [leak]},
        failed=[{"expect": "status == 200", "values": {"url": SECRET_URL}}],
    )
    seed_alert(
        runtime.store,
        FINGERPRINT,
        NOW - timedelta(minutes=1),
        summary=leak,
        details={"error": leak},
        labels={"target": SECRET_URL},
    )
    seed_notification(
        runtime.store, "k1", NOW, title=leak, body=leak, payload={"u": SECRET_URL}, last_error=leak
    )
    viewer = bearer(tokens["viewer"])
    paths = [
        "/api/checks",
        "/api/checks/api-health",
        "/api/evidence",
        "/api/alerts",
        f"/api/alerts/{FINGERPRINT}",
        "/api/notifications",
    ]
    for path in paths:
        answer = client.get(path, headers=viewer)
        assert answer.status_code == 200, path
        assert SECRET_PASSWORD not in answer.text, path
        assert "abc123" not in answer.text, path  # the secret URL's query
        assert "plain-token-value" not in answer.text, path
    shown = client.get("/api/evidence", headers=viewer).json()["items"][0]
    assert shown["values"]["url"] == "http://127.0.0.1:9/***"
    assert shown["values"]["api_token"] == "***"
