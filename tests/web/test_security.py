"""Security headers on every answer; rate limits per token, per IP, and for failed auth."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from golive.clock import ManualClock
from golive.config import load_config
from golive.web import MemoryBudgets, RateLimiter, RateLimits, Rule, create_app
from golive.web.ratelimit import Decision
from tests.devkit.web import FakeRuntime, MakeClient, TestClient, bearer, log_in

STRICT = {
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def test_every_response_has_security_headers(
    make_client: MakeClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    client = make_client(limits=RateLimits(anonymous=Rule(3)))
    viewer = bearer(tokens["viewer"])
    answers = [
        client.get("/healthz"),
        client.get("/api/checks", headers=viewer),
        client.get("/api/checks/nope", headers=viewer),
        client.get("/api/checks?limit=0", headers=viewer),
        client.get("/api/checks"),
        client.get("/metrics", headers=viewer),
        client.get("/no/such/route", headers=viewer),
        client.post("/api/silences", json={}, headers=viewer),
    ]
    answers += [client.get("/api/alerts") for _ in range(3)]  # the last one is a 429
    statuses = [a.status_code for a in answers]
    assert statuses == [200, 200, 404, 422, 401, 200, 404, 403, 401, 401, 429]
    for answer in answers:
        for name, value in STRICT.items():
            assert answer.headers[name] == value, (answer.request.url, name)
        assert "strict-transport-security" not in answer.headers

    https = make_client(base_url="https://testserver")
    answer = https.get("/api/checks", headers=viewer)
    assert answer.headers["strict-transport-security"].startswith("max-age=63072000")


def test_an_unhandled_error_still_has_security_headers(
    client: TestClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    def broken() -> dict[str, str]:
        raise RuntimeError("boom")

    runtime.maintenance = broken  # type: ignore[method-assign]
    answer = client.get("/api/maintenance", headers=bearer(tokens["viewer"]))
    assert answer.status_code == 500
    assert answer.json() == {"type": "internal_error", "detail": "internal server error"}
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["content-security-policy"] == STRICT["content-security-policy"]


def test_the_api_is_rate_limited_with_standard_headers(
    make_client: MakeClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    client = make_client(limits=RateLimits(token=Rule(5), anonymous=Rule(2)))
    viewer, operator = bearer(tokens["viewer"]), bearer(tokens["operator"])
    for remaining in (4, 3, 2, 1, 0):
        answer = client.get("/api/checks", headers=viewer)
        assert answer.status_code == 200
        assert answer.headers["ratelimit-limit"] == "5"
        assert answer.headers["ratelimit-remaining"] == str(remaining)
        assert answer.headers["ratelimit-reset"] == "60"
    refused = client.get("/api/checks", headers=viewer)
    assert refused.status_code == 429
    assert refused.json() == {"type": "rate_limited", "detail": "rate limit exceeded"}
    assert refused.headers["retry-after"] == "60"
    assert refused.headers["ratelimit-remaining"] == "0"
    assert client.get("/api/checks", headers=operator).status_code == 200  # its own budget

    assert [client.get("/api/checks").status_code for _ in range(3)] == [401, 401, 429]
    assert client.get("/healthz").status_code == 200  # never limited

    runtime.clock.advance(timedelta(seconds=45))
    assert client.get("/api/checks", headers=viewer).headers["retry-after"] == "15"
    runtime.clock.advance(timedelta(seconds=15))
    again = client.get("/api/checks", headers=viewer)
    assert again.status_code == 200
    assert again.headers["ratelimit-remaining"] == "4"


def test_the_default_limits_are_per_token_and_per_ip(
    client: TestClient, tokens: dict[str, str]
) -> None:
    assert (
        client.get("/api/checks", headers=bearer(tokens["viewer"])).headers["ratelimit-limit"]
        == "600"
    )
    assert client.get("/api/checks").headers["ratelimit-limit"] == "60"
    assert client.get("/api/checks", headers=bearer("glv_x")).headers["ratelimit-limit"] == "10"


def test_the_budgets_come_from_server_rate_limits(
    runtime: FakeRuntime, config_path: Path, make_client: MakeClient, tokens: dict[str, str]
) -> None:
    text = config_path.read_text() + "server:\n  rate_limits: {per_user: 2/s, per_ip: 1000/h}\n"
    config_path.write_text(text)
    runtime.loaded = load_config(config_path, environ=runtime.environ)
    client = make_client()

    answers = [client.get("/api/checks", headers=bearer(tokens["viewer"])) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["retry-after"] == "1"
    assert client.get("/api/checks").headers["ratelimit-limit"] == "1000"
    runtime.clock.advance(1)
    assert client.get("/api/checks", headers=bearer(tokens["viewer"])).status_code == 200


def test_failed_logins_are_rate_limited_per_ip(
    make_client: MakeClient, tokens: dict[str, str], runtime: FakeRuntime
) -> None:
    limits = RateLimits(failed_auth=Rule(3))
    attacker = make_client(limits=limits, client=("10.0.0.9", 4000))
    guesses = [attacker.get("/api/checks", headers=bearer(f"glv_guess{i}")) for i in range(4)]
    assert [g.status_code for g in guesses] == [401, 401, 401, 429]
    assert guesses[-1].headers["retry-after"] == "60"
    # while the budget is spent, even a valid token from that IP is refused
    refused = attacker.get("/api/checks", headers=bearer(tokens["viewer"]))
    assert refused.status_code == 429

    runtime.clock.advance(timedelta(seconds=60))
    assert attacker.get("/api/checks", headers=bearer(tokens["viewer"])).status_code == 200
    assert attacker.get("/api/checks", headers=bearer("glv_again")).status_code == 401


def test_failed_logins_of_one_ip_do_not_block_another(
    make_client: MakeClient, tokens: dict[str, str]
) -> None:
    limits = RateLimits(failed_auth=Rule(2))
    attacker = make_client(limits=limits, client=("10.0.0.9", 4000))
    for _ in range(3):
        attacker.get("/api/checks", headers=bearer("glv_guess"))
    # another app instance shares nothing; use the same app with another peer address
    neighbour = TestClient(attacker.app, client=("10.0.0.10", 4000))
    assert neighbour.get("/api/checks", headers=bearer("glv_typo")).status_code == 401
    assert neighbour.get("/api/checks", headers=bearer(tokens["viewer"])).status_code == 200
    assert attacker.get("/api/checks", headers=bearer(tokens["viewer"])).status_code == 429


@pytest.mark.parametrize("max_keys", [1, 3])
def test_the_limiter_forgets_the_oldest_windows_beyond_its_size(max_keys: int) -> None:
    clock = ManualClock()
    limiter = RateLimiter(Rule(1, 10), clock=clock, max_keys=max_keys)
    assert limiter.hit("a").allowed and not limiter.hit("a").allowed
    for key in "bcdef":
        limiter.hit(key)
    assert limiter.hit("a").allowed  # forgotten, so it starts afresh
    clock.advance(10)
    assert limiter.peek("f").allowed and limiter.peek("f").remaining == 1


def test_the_public_status_page_is_not_rate_limited_but_the_api_is(make_client: MakeClient) -> None:
    client = make_client(limits=RateLimits(anonymous=Rule(2)))
    assert all(client.get("/status").status_code == 200 for _ in range(5))
    answers = [client.get("/api/checks").status_code for _ in range(4)]
    assert 429 in answers


def test_replicas_given_one_budgets_store_share_the_budgets(
    runtime: FakeRuntime, tokens: dict[str, str]
) -> None:
    shared = MemoryBudgets(runtime.clock)  # what a Redis- or store-backed Budgets will be
    limits = RateLimits(token=Rule(3), failed_auth=Rule(2))
    one = TestClient(create_app(runtime, limits=limits, budgets=shared))
    two = TestClient(create_app(runtime, limits=limits, budgets=shared))
    viewer = bearer(tokens["viewer"])
    answers = [c.get("/api/checks", headers=viewer) for c in (one, two, one, two)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["ratelimit-remaining"] for a in answers] == ["2", "1", "0", "0"]
    guesses = [c.get("/api/checks", headers=bearer("glv_guess")) for c in (one, two, one)]
    assert [g.status_code for g in guesses] == [401, 401, 429]

    alone = TestClient(create_app(runtime, limits=limits))  # its own budgets, in memory
    assert alone.get("/api/checks", headers=viewer).status_code == 200


class CountingBudgets(MemoryBudgets):
    """A ``Budgets`` that also says which keys it was asked about."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock)
        self.keys: list[str] = []

    async def hit(self, key: str, rule: Rule) -> Decision:
        self.keys.append(key)
        return await super().hit(key, rule)


def test_login_attempts_are_counted_in_the_same_budgets(
    runtime: FakeRuntime, tokens: dict[str, str]
) -> None:
    budgets = CountingBudgets(runtime.clock)
    client = TestClient(create_app(runtime, budgets=budgets))
    log_in(client, "nobody", "wrong")
    assert {"login-ip:testclient", "login-name:nobody"} <= set(budgets.keys)
    client.get("/api/checks", headers=bearer(tokens["viewer"]))
    assert budgets.keys[-1].startswith("token:")
