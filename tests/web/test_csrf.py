"""CSRF: whatever a browser does with a session needs the session's token and must come from
this site; bearer-token requests are exempt."""

from __future__ import annotations

import pytest

from golive.web import csrf
from tests.devkit.web import (
    SILENCE,
    FakeRuntime,
    MakeClient,
    TestClient,
    add_user,
    bearer,
    form_token,
    log_in,
    page_token,
    with_test_pages,
)


def tampered(token: str) -> str:
    """``token`` with its last character changed: always another token (a fixed replacement
    letter would be the token itself whenever it already ends in that letter)."""
    return token[:-1] + ("B" if token.endswith("A") else "A")


def test_a_tampered_token_always_differs() -> None:
    for token in ("xyzA", "xyzB", "xyz0"):
        assert tampered(token) != token and len(tampered(token)) == len(token)


@pytest.fixture
def operator(client: TestClient, runtime: FakeRuntime) -> TestClient:
    """A browser with an operator's session and the test pages."""
    add_user(runtime, "otto", "operator")
    with_test_pages(client)
    assert log_in(client, "otto").status_code == 303
    return client


def test_a_form_post_without_the_csrf_token_is_refused(operator: TestClient) -> None:
    token = page_token(operator)
    for data in ({}, {"csrf_token": ""}, {"csrf_token": tampered(token)}, {"other": token}):
        refused = operator.post("/test/form", data=data)
        assert refused.status_code == 403, data
        assert refused.json() == {"type": "forbidden", "detail": csrf.MISSING}
    assert operator.post("/logout", follow_redirects=False).status_code == 403
    assert operator.get("/test/page").status_code == 200  # still logged in

    done = operator.post("/test/form", data={"csrf_token": token})
    assert done.status_code == 200 and done.text == "<p>done by user:otto</p>"
    multipart = operator.post("/test/form", files={"csrf_token": (None, token)})
    assert multipart.status_code == 200


def test_api_calls_with_a_session_need_the_token_in_a_header(operator: TestClient) -> None:
    token = page_token(operator)
    assert operator.post("/api/silences", json=SILENCE).status_code == 403
    wrong = operator.post("/api/silences", json=SILENCE, headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    assert (
        operator.post("/api/silences", json=SILENCE, headers={"X-CSRF-Token": token}).status_code
        == 201
    )
    assert operator.get("/api/silences").status_code == 200  # reading needs no token


def test_a_cross_origin_post_is_refused(operator: TestClient) -> None:
    token = {"X-CSRF-Token": page_token(operator)}
    hostile = [
        {"Origin": "https://evil.example"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "http://testserver:8080"},
        {"Origin": "http://user@testserver"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Referer": "https://evil.example/page"},
    ]
    for headers in hostile:
        refused = operator.post("/api/silences", json=SILENCE, headers={**token, **headers})
        assert refused.status_code == 403, headers
        assert refused.json()["detail"].startswith("cross-"), headers
        login = operator.post("/login", data={"name": "x", "password": "y"}, headers=headers)
        assert login.status_code == 403, headers

    friendly = [
        {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        {"Origin": "http://TESTSERVER:80"},
        {"Origin": "null"},  # what our Referrer-Policy: no-referrer makes browsers send
        {"Referer": "http://testserver/silences"},
    ]
    for headers in friendly:
        allowed = operator.post("/api/silences", json=SILENCE, headers={**token, **headers})
        assert allowed.status_code == 201, headers


def test_bearer_token_requests_are_exempt(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    headers = {**bearer(tokens["operator"]), "Origin": "https://elsewhere.example"}
    assert client.post("/api/silences", json=SILENCE, headers=headers).status_code == 201


def test_a_request_without_credentials_is_left_to_its_route(client: TestClient) -> None:
    answer = client.post("/api/silences", json=SILENCE)
    assert answer.status_code == 401  # not a CSRF refusal: there is nothing to forge
    assert answer.json()["detail"].startswith("a valid token")


def test_each_session_has_its_own_token(make_client: MakeClient, runtime: FakeRuntime) -> None:
    add_user(runtime, "otto", "operator")
    first, second = with_test_pages(make_client()), with_test_pages(make_client())
    log_in(first, "otto")
    log_in(second, "otto")
    mine, theirs = page_token(first), page_token(second)
    assert mine != theirs
    assert first.post("/test/form", data={"csrf_token": theirs}).status_code == 403
    assert first.post("/test/form", data={"csrf_token": mine}).status_code == 200


def test_the_login_form_gets_a_strict_cookie_for_its_token(client: TestClient) -> None:
    page = client.get("/login")
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("golive_csrf=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Max-Age" not in cookie  # gone when the browser closes
    again = client.get("/login")
    assert "set-cookie" not in again.headers  # the same secret, the same token
    assert form_token(client) == form_token(client)
    assert client.cookies["golive_csrf"] not in page.text  # the page shows an HMAC of it


def test_an_oversized_form_is_refused_before_it_is_parsed(operator: TestClient) -> None:
    body = "csrf_token=x&filler=" + "a" * (csrf.MAX_FORM_BYTES + 1)
    answer = operator.post(
        "/test/form",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 413
