"""``https_redirect`` against a real nginx: plain HTTP must redirect to https:// on the same
host, and the redirects after it must not lead back to plain HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import ValidationError

from devkit.ports import free_port
from golive.clock import SystemClock
from golive.config import load_config
from golive.gate.builtins.base import Context, Finding
from golive.gate.builtins.https_redirect import HttpsRedirectArgs, run

if TYPE_CHECKING:
    from devkit.pytest_plugin import CertFactory, NginxFactory


@dataclass(frozen=True)
class Site:
    https: str  # https://127.0.0.1:PORT
    http: str  # http://127.0.0.1:PORT
    ca_file: str


@pytest.fixture
def site(nginx_factory: NginxFactory, cert_factory: CertFactory) -> Site:
    ca = cert_factory.ca()
    cert = cert_factory("web", ca=ca)
    tls, plain = free_port(), free_port()
    https = f"https://127.0.0.1:{tls}"
    nginx_factory(
        f"""
        server {{
            listen 127.0.0.1:{tls} ssl;
            ssl_certificate {cert.chain_path};
            ssl_certificate_key {cert.key_path};
            location = /back {{ return 301 http://127.0.0.1:{plain}/plain; }}
            location / {{ return 200 'secure'; }}
        }}
        server {{
            listen 127.0.0.1:{plain};
            location = /plain {{ return 200 'plain'; }}
            location = /temporary {{ return 302 {https}/; }}
            location = /elsewhere {{ return 301 https://localhost:{tls}/; }}
            location = /via-http {{ return 301 http://127.0.0.1:{plain}/plain; }}
            location = /bounce {{ return 301 {https}/back; }}
            location / {{ return 301 {https}$request_uri; }}
        }}
        """,
        ports=[tls, plain],
    )
    return Site(https=https, http=f"http://127.0.0.1:{plain}", ca_file=str(ca.cert_path))


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    config = tmp_path / "golive.yaml"
    config.write_text("version: 1\nproject: shop\n")
    return Context(clock=SystemClock(), loaded=load_config(config, environ={}), environ={})


async def check(ctx: Context, site: Site, path: str, **args: Any) -> Finding:
    return await run(HttpsRedirectArgs(url=f"{site.http}{path}", ca_file=site.ca_file, **args), ctx)


async def test_plain_http_redirects_to_https_on_the_same_host(site: Site, ctx: Context) -> None:
    finding = await check(ctx, site, "/account")
    assert finding.ok, finding.reason
    assert finding.reason == f"301 to {site.https}/account on the same host"
    assert finding.evidence["status"] == 301
    assert finding.evidence["location"] == f"{site.https}/account"
    assert finding.evidence["hops"] == [
        {"url": f"{site.http}/account", "status": 301, "location": f"{site.https}/account"},
        {"url": f"{site.https}/account", "status": 200, "location": None},
    ]
    assert (finding.evidence["final_url"], finding.evidence["final_status"]) == (
        f"{site.https}/account",
        200,
    )
    assert finding.warnings == ()


async def test_a_temporary_redirect_passes_with_a_warning(site: Site, ctx: Context) -> None:
    finding = await check(ctx, site, "/temporary")
    assert finding.ok
    assert finding.warnings == (
        "302 is a temporary redirect: browsers and caches do not remember it; use 301 or 308",
    )


async def test_a_status_outside_expect_status_fails(site: Site, ctx: Context) -> None:
    finding = await check(ctx, site, "/temporary", expect_status=[301, 308])
    assert not finding.ok
    assert finding.reason == f"{site.http}/temporary redirects with 302, expected one of 301, 308"


async def test_a_redirect_to_another_host_fails(site: Site, ctx: Context) -> None:
    finding = await check(ctx, site, "/elsewhere")
    assert not finding.ok
    assert "redirects to another host (localhost)" in finding.reason
    assert "redirect to https://127.0.0.1/ first" in finding.reason
    assert finding.evidence["location"].startswith("https://localhost:")


async def test_a_first_redirect_to_plain_http_fails(site: Site, ctx: Context) -> None:
    finding = await check(ctx, site, "/via-http")
    assert not finding.ok
    assert f"redirects to {site.http}/plain, not https://" in finding.reason


async def test_a_redirect_back_to_plain_http_fails(site: Site, ctx: Context) -> None:
    finding = await check(ctx, site, "/bounce")
    assert not finding.ok
    assert finding.reason == f"{site.https}/back redirects back to plain HTTP ({site.http}/plain)"
    assert [hop["status"] for hop in finding.evidence["hops"]] == [301, 301]


async def test_no_redirect_fails(site: Site, ctx: Context) -> None:
    finding = await check(ctx, site, "/plain")
    assert not finding.ok
    assert finding.reason.startswith(f"{site.http}/plain answered 200 without redirecting")
    assert finding.evidence["status"] == 200


async def test_an_https_target_that_fails_tls_fails(site: Site, ctx: Context) -> None:
    finding = await run(HttpsRedirectArgs(url=f"{site.http}/"), ctx)  # the devkit CA is unknown
    assert not finding.ok
    assert finding.reason.startswith(f"the redirect to {site.https}/ fails: ")
    assert "certificate" in finding.reason


async def test_an_unreachable_url_fails_with_the_reason(ctx: Context) -> None:
    port = free_port()
    finding = await run(HttpsRedirectArgs(url=f"http://127.0.0.1:{port}/"), ctx)
    assert not finding.ok
    assert finding.reason == f"cannot connect to 127.0.0.1:{port}: connection refused"


def test_only_a_plain_http_url_is_accepted() -> None:
    with pytest.raises(ValidationError, match="plain http:// URL"):
        HttpsRedirectArgs(url="https://shop.example/")
    with pytest.raises(ValidationError, match="not redirect statuses"):
        HttpsRedirectArgs(url="http://shop.example/", expect_status=[200])
