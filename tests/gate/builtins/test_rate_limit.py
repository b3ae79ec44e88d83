"""``rate_limit`` against a real nginx: ``limit_req`` with and without ``Retry-After`` on the
limited answer, an unlimited location and a redirect. nginx's own access log counts what
reached it: exactly what the built-in says it sent, never more."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import ValidationError

from devkit.ports import free_port
from golive.clock import SystemClock
from golive.config import load_config
from golive.gate.builtins import rate_limit
from golive.gate.builtins.base import Context, Finding
from golive.gate.builtins.rate_limit import RateLimitArgs, run
from golive.gate.registry import builtin_checks

if TYPE_CHECKING:
    from devkit.pytest_plugin import NginxFactory

SECRET = "Bearer s3cr3t-t0ken-do-not-show"

SITE = """
log_format seen '$request_method $request_uri $status $http_x_client';
limit_req_zone $binary_remote_addr zone=api:1m rate=10r/s;
limit_req_zone $binary_remote_addr zone=bare:1m rate=10r/s;
server {{
    listen 127.0.0.1:{port};
    root {www};
    default_type application/json;
    access_log {log} seen;
    location = /api/facilities {{
        limit_req zone=api burst=5 nodelay;
        limit_req_status 429;
        error_page 429 = @limited;
        try_files /facilities.json =404;
    }}
    location @limited {{ add_header Retry-After 1 always; return 429 '{{"error": "slow down"}}'; }}
    location = /api/bare {{
        limit_req zone=bare burst=5 nodelay;
        limit_req_status 429;
        try_files /facilities.json =404;
    }}
    location = /api/open {{ try_files /facilities.json =404; }}
    location = /api/moved {{ return 301 /api/open; }}
}}
"""


@dataclass(frozen=True)
class Api:
    base: str
    log: Path

    def requests_seen(self, path: str, expected: int) -> Counter[str]:
        """Requests nginx logged for ``path``, waiting briefly for ``expected`` of them (nginx
        writes the log line just after the answer leaves)."""
        deadline = time.monotonic() + 2
        while True:
            lines = self.log.read_text().splitlines() if self.log.exists() else []
            seen = Counter(line for line in lines if line.split()[1] == path)
            if sum(seen.values()) >= expected or time.monotonic() > deadline:
                return seen
            time.sleep(0.02)


@pytest.fixture
def api(nginx_factory: NginxFactory, tmp_path: Path) -> Api:
    www = tmp_path / "www"
    www.mkdir()
    (www / "facilities.json").write_text('[{"id": 1}]')
    port, log = free_port(), tmp_path / "access.log"
    nginx_factory(SITE.format(port=port, www=www, log=log), [port])
    return Api(f"http://127.0.0.1:{port}", log)


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    config = tmp_path / "golive.yaml"
    config.write_text("version: 1\nproject: shop\n")
    return Context(
        clock=SystemClock(), loaded=load_config(config, environ={}), environ={}, timeout=5
    )


async def check(ctx: Context, url: str, **args: Any) -> Finding:
    return await run(RateLimitArgs(url=url, **args), ctx)


async def test_a_limited_endpoint_passes_at_the_first_429_with_retry_after_and_stops_there(
    ctx: Context, api: Api
) -> None:
    finding = await check(ctx, f"{api.base}/api/facilities", requests=150, within="10s")

    assert finding.ok, finding.reason
    evidence = finding.evidence
    sent = evidence["sent"]
    assert 6 <= sent < 150  # burst 5 + the one the rate allows, then limited
    assert evidence["stopped_early"] is True
    assert evidence["proven_at"] == evidence["first_limited_at"]
    assert evidence["limited_headers"] == {"Retry-After": "1"}
    assert sum(evidence["statuses"].values()) == sent
    assert evidence["statuses"]["429"] >= 1
    assert evidence["elapsed_s"] < 10
    assert finding.reason == (
        f"request {evidence['proven_at']} was answered 429 with Retry-After; "
        f"stopped after {sent} of 150"
    )
    assert sum(api.requests_seen("/api/facilities", sent).values()) == sent


async def test_an_unlimited_endpoint_fails_after_exactly_the_requests_asked_for(
    ctx: Context, api: Api
) -> None:
    finding = await check(ctx, f"{api.base}/api/open", requests=20, within="1s")

    assert not finding.ok
    assert finding.reason == "20 requests in 1s were all answered 200: no rate limit"
    assert finding.evidence["sent"] == 20
    assert finding.evidence["statuses"] == {"200": 20}
    assert finding.evidence["first_limited_at"] is None
    assert finding.evidence["elapsed_s"] >= 0.9  # spread over the second, not a burst
    assert api.requests_seen("/api/open", 20) == {"GET /api/open 200 -": 20}


async def test_a_429_without_retry_after_fails_because_clients_cannot_tell_when_to_retry(
    ctx: Context, api: Api
) -> None:
    finding = await check(ctx, f"{api.base}/api/bare", requests=20, within="0s")

    assert not finding.ok
    first = finding.evidence["first_limited_at"]
    assert isinstance(first, int)
    assert finding.reason.startswith(f"answered 429 from request {first}, but without Retry-After")
    assert finding.evidence["sent"] == 20  # never proven, so never stopped early
    assert finding.evidence["stopped_early"] is False
    assert finding.evidence["headers_seen"] == []
    assert sum(api.requests_seen("/api/bare", 20).values()) == 20


async def test_redirects_are_not_followed_so_only_the_given_url_is_hit(
    ctx: Context, api: Api
) -> None:
    finding = await check(ctx, f"{api.base}/api/moved", requests=5, within="0s")

    assert not finding.ok
    assert finding.reason == "5 requests in 0s were all answered 301: no rate limit"
    assert api.requests_seen("/api/moved", 5) == {"GET /api/moved 301 -": 5}
    assert api.requests_seen("/api/open", 0) == {}


async def test_request_headers_are_sent_but_never_shown(ctx: Context, api: Api) -> None:
    headers = {"X-Client": "golive-gate", "Authorization": SECRET}

    finding = await check(
        ctx, f"{api.base}/api/open", requests=3, within="0s", method="post", headers=headers
    )

    assert api.requests_seen("/api/open", 3) == {"POST /api/open 405 golive-gate": 3}
    assert finding.evidence["method"] == "POST"
    assert SECRET not in repr(finding)


async def test_an_endpoint_that_does_not_answer_fails_with_the_connection_error(
    ctx: Context,
) -> None:
    url = f"http://127.0.0.1:{free_port()}/api"

    finding = await check(ctx, url, requests=3, within="0s")

    assert not finding.ok
    assert finding.reason == f"no answer from {url} (cannot connect: connection refused ×3)"
    assert finding.evidence["errors"] == {"cannot connect: connection refused": 3}


@pytest.mark.parametrize(
    "bad",
    [
        {"requests": 0},
        {"requests": 1001},
        {"within": "2m"},
        {"within": "soon"},
        {"url": "ftp://example.com/"},
        {"method": "GET /x"},
        {"expect_status": 99},
    ],
)
def test_arguments_out_of_bounds_are_config_errors(bad: dict[str, Any]) -> None:
    arguments = {"url": "http://example.com/", "requests": 10, "within": "1s", **bad}
    with pytest.raises(ValidationError):
        RateLimitArgs.model_validate(arguments)


def test_it_recognises_every_family_of_rate_limit_headers() -> None:
    names = ["Retry-After", "RateLimit", "RateLimit-Remaining", "X-RateLimit-Limit"]
    assert all(rate_limit.is_rate_limit_header(name) for name in names)
    assert not rate_limit.is_rate_limit_header("X-Request-Id")


def test_it_is_registered_as_rate_limit() -> None:
    assert builtin_checks()["rate_limit"] is rate_limit.BUILTIN
