"""Logging in to the dashboard: sessions in cookies, passwords as argon2 hashes, rate-limited
attempts, roles on every route, and pages that send strangers to the login page."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Literal

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from golive import accounts
from golive.store import users
from golive.store.tables_users import User, WebSession
from golive.web.login import safe_next
from golive.web.session import VERIFIED_TTL
from tests.devkit.web import (
    NOW,
    PASSWORD,
    SILENCE,
    FakeRuntime,
    MakeClient,
    TestClient,
    add_user,
    bearer,
    log_in,
    page_token,
    with_test_pages,
)

PRODUCTION_HASHER = accounts.HASHER  # read at import, before conftest's cheap_argon2 swaps it


def session_cookie(response: httpx.Response) -> str:
    (cookie,) = [c for c in response.headers.get_list("set-cookie") if "golive_session=" in c]
    return cookie


# Tests.


def test_a_user_logs_in_and_gets_a_secure_httponly_samesite_cookie(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    add_user(runtime, "otto", "operator")
    client = make_client(base_url="https://testserver")
    response = log_in(client, "otto", next="/alerts?state=firing")
    assert response.status_code == 303
    assert response.headers["location"] == "/alerts?state=firing"
    attributes = [a.strip().lower() for a in session_cookie(response).split(";")]
    assert {"httponly", "secure", "samesite=lax", "path=/", "max-age=604800"} <= set(attributes)
    assert response.headers["strict-transport-security"].startswith("max-age=")
    assert client.get("/api/checks").status_code == 200  # the cookie authenticates

    plain = make_client()  # over plain HTTP the cookie cannot be Secure, or it would be lost
    cookie = session_cookie(log_in(plain, "otto")).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert plain.get("/api/checks").status_code == 200


def test_the_login_page_needs_no_inline_script_or_style(client: TestClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    csp = page.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "script-src" not in csp
    assert "style-src 'self'" in csp and "form-action 'self'" in csp
    assert page.headers["cache-control"] == "no-store"
    assert "<script" not in page.text and "<style" not in page.text and "style=" not in page.text
    assert '<link rel="stylesheet" href="/static/golive.css">' in page.text


def test_a_wrong_password_and_an_unknown_user_look_the_same(
    client: TestClient, runtime: FakeRuntime
) -> None:
    add_user(runtime, "otto", "operator")
    add_user(runtime, "gone", "operator")
    accounts.remove_user(runtime.store, "gone", NOW)
    answers = {
        "wrong password": log_in(client, "otto", "not the password at all"),
        "unknown user": log_in(client, "nobody", PASSWORD),
        "removed user": log_in(client, "gone", PASSWORD),
    }
    shapes = set()
    for case, answer in answers.items():
        assert answer.status_code == 401, case
        assert "Wrong name or password." in answer.text, case
        assert "golive_session" not in answer.headers.get("set-cookie", ""), case
        name = answer.request.content.decode().split("name=")[1].split("&")[0]
        shapes.add(answer.text.replace(f'value="{name}"', 'value="NAME"'))
    assert len(shapes) == 1
    assert client.get("/api/checks").status_code == 401


def test_an_unknown_name_is_checked_against_a_dummy_hash(runtime: FakeRuntime) -> None:
    class Counting(PasswordHasher):
        verified = 0

        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
            Counting.verified += 1
            return super().verify(hash, password)

    cheap = Counting(time_cost=1, memory_cost=8, parallelism=1)
    accounts.add_user(
        runtime.store, name="otto", role="viewer", password=PASSWORD, now=NOW, hasher=cheap
    )
    assert accounts.authenticate(runtime.store, "nobody", PASSWORD, hasher=cheap) is None
    assert (
        accounts.authenticate(runtime.store, "otto", "wrong but long enough", hasher=cheap) is None
    )
    assert Counting.verified == 2  # the same work for both


def test_login_attempts_are_rate_limited(make_client: MakeClient, runtime: FakeRuntime) -> None:
    add_user(runtime, "otto", "operator")
    add_user(runtime, "ada", "admin")
    attacker = make_client(client=("10.0.0.7", 4000))
    guesses = [log_in(attacker, "otto", f"guess number {i} is wrong") for i in range(5)]
    assert [g.status_code for g in guesses] == [401] * 5
    refused = log_in(attacker, "otto")  # the right password, but the name's budget is spent
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "900"
    assert "Too many attempts; try again in 15 min." in refused.text
    assert "golive_session" not in refused.headers.get("set-cookie", "")

    spray = [log_in(attacker, f"user{i}", "sprayed password value") for i in range(5)]
    assert [s.status_code for s in spray] == [401] * 5  # the IP's 10th failure
    assert log_in(attacker, "ada").status_code == 429  # now the IP's budget is spent too

    colleague = TestClient(attacker.app, client=("10.0.0.8", 4000))
    assert log_in(colleague, "otto").status_code == 429  # the name is still locked
    assert log_in(colleague, "ada").status_code == 303

    runtime.clock.advance(timedelta(minutes=15))
    assert log_in(attacker, "otto").status_code == 303


def test_the_login_form_itself_needs_its_csrf_token(
    client: TestClient, runtime: FakeRuntime
) -> None:
    add_user(runtime, "otto", "operator")
    form = {"name": "otto", "password": PASSWORD}
    missing = client.post("/login", data=form, follow_redirects=False)
    wrong = client.post("/login", data={**form, "csrf_token": "x" * 43}, follow_redirects=False)
    for answer in (missing, wrong):
        assert answer.status_code == 403
        assert "This form has expired" in answer.text
        assert "golive_session" not in answer.headers.get("set-cookie", "")
    # a header the CSRF middleware lets through unchecked does not skip the form's check
    sneaky = client.post(
        "/login", data=form, headers=bearer("glv_anything"), follow_redirects=False
    )
    assert sneaky.status_code == 403 and "This form has expired" in sneaky.text
    assert log_in(client, "otto").status_code == 303
    assert "golive_csrf" not in client.cookies  # the session's own secret takes over


def test_logout_ends_the_session(client: TestClient, runtime: FakeRuntime) -> None:
    add_user(runtime, "otto", "operator")
    with_test_pages(client)
    cookie = session_cookie(log_in(client, "otto")).split(";")[0].split("=", 1)[1]
    token = page_token(client)
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert (
        'golive_session=""' in out.headers["set-cookie"]
        and "Max-Age=0" in out.headers["set-cookie"]
    )
    assert client.get("/api/checks").status_code == 401
    replayed = TestClient(client.app, cookies={"golive_session": cookie})
    assert (
        replayed.get("/api/checks").status_code == 401
    )  # revoked in the store, not just forgotten
    with runtime.store.engine.connect() as connection:
        (revoked_at,) = connection.execute(select(WebSession.revoked_at)).scalars().all()
    assert revoked_at == NOW


def test_a_viewer_session_cannot_create_a_silence(client: TestClient, runtime: FakeRuntime) -> None:
    add_user(runtime, "vera", "viewer")
    with_test_pages(client)
    log_in(client, "vera")
    token = {"X-CSRF-Token": page_token(client)}
    assert client.get("/api/silences").status_code == 200
    refused = client.post("/api/silences", json=SILENCE, headers=token)
    assert refused.status_code == 403
    assert refused.json() == {
        "type": "forbidden",
        "detail": "this needs the operator role or above",
    }
    assert client.post("/api/alerts/abc/ack", headers=token).status_code == 403
    assert client.get("/api/tokens").status_code == 403


def test_an_operator_session_silences_as_its_user(client: TestClient, runtime: FakeRuntime) -> None:
    add_user(runtime, "otto", "operator")
    with_test_pages(client)
    log_in(client, "otto")
    created = client.post(
        "/api/silences", json=SILENCE, headers={"X-CSRF-Token": page_token(client)}
    )
    assert created.status_code == 201, created.text
    assert created.json()["created_by"] == "user:otto"
    assert client.get("/api/tokens").status_code == 403  # tokens are for admins


def test_a_role_change_counts_within_seconds(client: TestClient, runtime: FakeRuntime) -> None:
    add_user(runtime, "otto", "admin")
    log_in(client, "otto")
    assert client.get("/api/tokens").status_code == 200
    accounts.remove_user(runtime.store, "otto", NOW)  # as `golive user remove` does, elsewhere
    add_user(runtime, "otto", "viewer")  # back, as a viewer, and logged out by the removal
    assert client.get("/api/tokens").status_code == 200  # verified a moment ago: trusted
    runtime.clock.advance(VERIFIED_TTL)
    assert client.get("/api/tokens").status_code == 401
    log_in(client, "otto")
    assert client.get("/api/tokens").status_code == 403


def test_a_bearer_token_decides_when_both_are_sent(
    client: TestClient, runtime: FakeRuntime, tokens: dict[str, str]
) -> None:
    add_user(runtime, "ada", "admin")
    log_in(client, "ada")
    assert client.get("/api/tokens").status_code == 200
    assert client.get("/api/tokens", headers=bearer(tokens["viewer"])).status_code == 403
    assert client.get("/api/tokens", headers=bearer("glv_wrong")).status_code == 401


def test_passwords_are_stored_as_argon2_hashes_only(
    client: TestClient, runtime: FakeRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(accounts, "HASHER", PRODUCTION_HASHER)  # not conftest's cheap one
    add_user(runtime, "otto", "operator")
    cookie = session_cookie(log_in(client, "otto")).split(";")[0].split("=", 1)[1]
    with runtime.store.engine.connect() as connection:
        stored = connection.execute(select(User)).mappings().all()
        sessions = connection.execute(select(WebSession)).mappings().all()
    (row,) = stored
    assert row["password_hash"].startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PasswordHasher().verify(row["password_hash"], PASSWORD)
    dumped = repr([dict(r) for r in stored]) + repr([dict(s) for s in sessions])
    assert PASSWORD not in dumped and cookie not in dumped
    assert [s["id"] for s in sessions] == [hashlib.sha256(cookie.encode()).hexdigest()]
    assert all("password" not in repr(u) for u in users.list_users(runtime.store))


def test_a_password_is_rehashed_when_the_parameters_change(runtime: FakeRuntime) -> None:
    old = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    accounts.add_user(
        runtime.store, name="otto", role="viewer", password=PASSWORD, now=NOW, hasher=old
    )
    new = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    assert accounts.authenticate(runtime.store, "otto", PASSWORD, hasher=new) is not None
    with runtime.store.engine.connect() as connection:
        stored = connection.execute(select(User.password_hash)).scalar_one()
    assert "m=16,t=2,p=1" in stored and not new.check_needs_rehash(stored)
    assert accounts.authenticate(runtime.store, "otto", PASSWORD, hasher=new) is not None


def test_changing_a_password_ends_other_sessions(
    make_client: MakeClient, runtime: FakeRuntime
) -> None:
    add_user(runtime, "otto", "operator")
    laptop, phone = make_client(), make_client()
    kept = session_cookie(log_in(laptop, "otto")).split(";")[0].split("=", 1)[1]
    log_in(phone, "otto")
    ended = accounts.set_password(
        runtime.store,
        "otto",
        "a brand new passphrase",
        NOW,
        keep_session=accounts.hash_session_token(kept),
    )
    assert ended == 1
    assert laptop.get("/api/checks").status_code == 200  # the one it was changed from
    assert phone.get("/api/checks").status_code == 401
    assert log_in(phone, "otto").status_code == 401  # the old password is gone
    assert log_in(phone, "otto", "a brand new passphrase").status_code == 303

    assert accounts.set_password(runtime.store, "otto", "yet another passphrase", NOW) == 2
    runtime.clock.advance(VERIFIED_TTL)  # the laptop's session was verified a moment ago
    assert laptop.get("/api/checks").status_code == 401


def test_a_session_ends_after_12_idle_hours_or_7_days(
    client: TestClient, runtime: FakeRuntime
) -> None:
    add_user(runtime, "otto", "viewer")
    log_in(client, "otto")
    for _ in range(15):  # seen every 11 hours, up to 165 h after the login
        runtime.clock.advance(timedelta(hours=11))
        assert client.get("/api/checks").status_code == 200
    runtime.clock.advance(timedelta(hours=11))  # 176 h: past the 7 days, however active
    assert client.get("/api/checks").status_code == 401

    log_in(client, "otto")
    runtime.clock.advance(timedelta(hours=12))
    assert client.get("/api/checks").status_code == 401


def test_an_html_route_redirects_to_login_when_logged_out(
    client: TestClient, runtime: FakeRuntime
) -> None:
    add_user(runtime, "vera", "viewer")
    with_test_pages(client)
    away = client.get("/test/page?x=1&y=2", follow_redirects=False)
    assert away.status_code == 303
    assert away.headers["location"] == "/login?next=%2Ftest%2Fpage%3Fx%3D1%26y%3D2"
    assert 'name="next" value="/test/page?x=1&amp;y=2"' in client.get(away.headers["location"]).text
    back = log_in(client, "vera", next="/test/page?x=1&y=2")
    assert back.headers["location"] == "/test/page?x=1&y=2"
    assert client.get("/test/page").text.startswith("<p>vera</p>")
    again = client.get("/login?next=/test/page", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/test/page"

    forbidden = client.get("/test/operator")
    assert forbidden.status_code == 403
    assert "text/html" in forbidden.headers["content-type"]
    assert "this page needs the operator role or above" in forbidden.text
    assert 'action="/logout"' in forbidden.text
    assert "unsafe-inline" not in forbidden.headers["content-security-policy"]

    api = client.get("/api/checks", headers={"Authorization": "Bearer glv_nope"})
    assert api.status_code == 401 and api.json()["detail"].startswith("a valid token")


@pytest.mark.parametrize(
    ("given", "followed"),
    [
        ("/alerts", "/alerts"),
        ("/checks/db?range=24h#x", "/checks/db?range=24h#x"),
        (None, "/"),
        ("", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("\\\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("/login?next=/login", "/"),
        ("/logout", "/"),
        ("/" + "a" * 2000, "/"),
    ],
)
def test_the_next_parameter_only_leads_to_this_site(given: str | None, followed: str) -> None:
    assert safe_next(given) == followed
