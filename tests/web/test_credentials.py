"""Which credential opens which door: the dashboard takes login sessions only, the API under
``/api/`` takes tokens (and sessions); the audit log names the credential of every action."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import event

from golive.store import users
from golive.web.session import VERIFIED_TTL
from tests.devkit.web import FakeRuntime, MakeClient, TestClient, add_user, bearer, log_in

_PARAM = re.compile(r"\{[^}]+\}")
SESSION_ONLY = "the dashboard takes a login session, not a token: use the API under /api/"


def walk(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of ``routes``, into included routers (FastAPI keeps them as they are)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from walk(included.routes, prefix + getattr(context, "prefix", ""))
        elif isinstance(route, APIRoute):
            yield from ((method, prefix + route.path) for method in sorted(route.methods))


def routes_outside_the_api(client: TestClient) -> list[tuple[str, str]]:
    """Every (method, path) the app serves outside ``/api/``, path parameters filled in."""
    routes = walk(client.app.routes)  # type: ignore[attr-defined]
    return [(m, _PARAM.sub("x", path)) for m, path in routes if not path.startswith("/api/")]


def test_every_dashboard_route_refuses_a_bearer_token(
    client: TestClient, tokens: dict[str, str]
) -> None:
    admin = bearer(tokens["admin"])
    dashboard = []
    for method, path in routes_outside_the_api(client):
        anonymous = client.request(method, path, follow_redirects=False)
        if anonymous.headers.get("location", "").startswith("/login?next="):
            dashboard.append((method, path))  # a browser without a session is sent to log in
            answer = client.request(method, path, headers=admin, follow_redirects=False)
            assert answer.status_code == 403, (method, path, answer.text[:200])
            assert answer.json() == {"type": "forbidden", "detail": SESSION_ONLY}, (method, path)
    # the enumeration found the dashboard: its pages and its forms
    assert {("GET", "/"), ("GET", "/tokens"), ("POST", "/users"), ("POST", "/tokens")} <= set(
        dashboard
    )
    assert len(dashboard) >= 15


def test_an_admin_token_cannot_create_a_login(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    form = {"name": "mallory", "role": "admin", "password": "x" * 20, "confirm": "x" * 20}
    refused = client.post(
        "/users", data=form, headers=bearer(tokens["admin"]), follow_redirects=False
    )
    assert refused.status_code == 403
    assert [u.name for u in users.list_users(runtime.store, include_removed=True)] == []
    listing = client.get("/tokens", headers=bearer(tokens["admin"]), follow_redirects=False)
    assert listing.status_code == 403 and "glv_" not in listing.text


def test_the_api_still_takes_tokens_and_sessions(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    assert client.get("/api/tokens", headers=bearer(tokens["admin"])).status_code == 200
    assert client.get("/metrics", headers=bearer(tokens["viewer"])).status_code == 200
    add_user(runtime, "ada", "admin")
    assert log_in(client, "ada").status_code == 303
    assert client.get("/api/tokens").status_code == 200
    assert client.get("/tokens").status_code == 200


def test_the_audit_log_names_the_credential_of_each_action(
    client: TestClient,
    tokens: dict[str, str],
    runtime: FakeRuntime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    add_user(runtime, "ada", "admin")
    assert log_in(client, "ada").status_code == 303
    csrf = {"X-CSRF-Token": page_token_of(client)}
    caplog.set_level(logging.INFO, logger="golive.audit")

    created = client.post("/api/tokens", json={"name": "ci", "role": "viewer"}, headers=csrf)
    assert created.status_code == 201
    by_token = client.post(
        f"/api/tokens/{created.json()['id']}/revoke", headers=bearer(tokens["admin"])
    )
    assert by_token.status_code == 200
    client.post("/users", data={"name": "x"}, headers=bearer(tokens["admin"]))
    client.post("/api/reload", headers=bearer("glv_guess"))
    client.get("/api/tokens", headers=bearer(tokens["admin"]))  # reading is not audited

    lines = [r.getMessage() for r in caplog.records if r.name == "golive.audit"]
    assert lines == [
        "audit: POST /api/tokens 201 by session user:ada from testclient",
        f"audit: POST /api/tokens/{created.json()['id']}/revoke 200 by token token:admin-token"
        " from testclient",
        "audit: POST /users 403 by token token:admin-token from testclient",
        "audit: POST /api/reload 401 by invalid credentials from testclient",
    ]


def page_token_of(client: TestClient) -> str:
    """The CSRF token of a logged-in client, read from a dashboard page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert match
    return match.group(1)


def test_a_burst_after_a_sessions_trust_expires_costs_one_lookup(
    runtime: FakeRuntime, make_client: MakeClient
) -> None:
    add_user(runtime, "vic", "viewer")
    client = make_client()
    assert log_in(client, "vic").status_code == 303
    cookie = client.cookies["golive_session"]
    lookups: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM sessions" in statement:
            lookups.append(statement)

    event.listen(runtime.store.engine, "before_cursor_execute", count)
    runtime.clock.advance(VERIFIED_TTL)  # the next request must look the session up again

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", cookies={"golive_session": cookie}
        ) as browser:
            return await asyncio.gather(*(browser.get("/api/checks") for _ in range(20)))

    answers = asyncio.run(burst())
    assert [a.status_code for a in answers] == [200] * 20
    assert len(lookups) == 1
