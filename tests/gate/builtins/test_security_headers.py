"""``security_headers`` against a real nginx: a well configured site and a bare one, graded
the way the Mozilla HTTP Observatory grades them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from devkit.ports import free_port
from golive.clock import SystemClock
from golive.config import load_config
from golive.gate.builtins.base import Context, Finding
from golive.gate.builtins.observatory import GRADES, Outcome, Page, grade, meets, score
from golive.gate.builtins.observatory_csp import CspInvalid, csp, parse_csp
from golive.gate.builtins.observatory_headers import cookies
from golive.gate.builtins.security_headers import SecurityHeadersArgs, run
from golive.gate.registry import builtin_checks

if TYPE_CHECKING:
    from devkit.pytest_plugin import CertFactory, NginxFactory

STRICT_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE = "<!doctype html><html><head><title>shop</title></head><body>hello</body></html>"


def good_headers(*, csp: str = STRICT_CSP, hsts_max_age: int = 63072000) -> str:
    return f"""
        add_header Strict-Transport-Security "max-age={hsts_max_age}; includeSubDomains";
        add_header Content-Security-Policy "{csp}";
        add_header X-Content-Type-Options nosniff;
        add_header X-Frame-Options DENY;
        add_header Referrer-Policy no-referrer;
        add_header Set-Cookie "sessionid=s3cr3t; Path=/; Secure; HttpOnly; SameSite=Strict";
        default_type text/html;
        return 200 '{PAGE}';
    """


@dataclass(frozen=True)
class Sites:
    good: str  # https://127.0.0.1:PORT
    good_http: str  # http://127.0.0.1:PORT, 301 to ``good``
    bare: str  # http://127.0.0.1:PORT
    ca_file: str


@pytest.fixture
def sites(nginx_factory: NginxFactory, cert_factory: CertFactory) -> Sites:
    ca = cert_factory.ca()
    cert = cert_factory("web", ca=ca)
    tls, plain, bare = free_port(), free_port(), free_port()
    inline_csp = STRICT_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
    nginx_factory(
        f"""
        server {{
            listen 127.0.0.1:{tls} ssl;
            ssl_certificate {cert.chain_path};
            ssl_certificate_key {cert.key_path};
            location = / {{ {good_headers()} }}
            location = /inline {{ {good_headers(csp=inline_csp)} }}
            location = /hsts-6-months {{ {good_headers(hsts_max_age=15552000)} }}
            location = /down {{ return 503; }}
        }}
        server {{
            listen 127.0.0.1:{plain};
            return 301 https://127.0.0.1:{tls}$request_uri;
        }}
        server {{
            listen 127.0.0.1:{bare};
            location = / {{
                add_header Content-Security-Policy "script-src 'self' 'unsafe-inline'";
                add_header Set-Cookie "sessionid=abc; Path=/";
                add_header Access-Control-Allow-Origin $http_origin;
                add_header Access-Control-Allow-Credentials true;
                default_type text/html;
                return 200 '{PAGE}';
            }}
            location = /wildcard {{
                add_header Access-Control-Allow-Origin *;
                add_header Access-Control-Allow-Credentials true;
                return 200 '{PAGE}';
            }}
        }}
        """,
        ports=[tls, plain, bare],
    )
    return Sites(
        good=f"https://127.0.0.1:{tls}",
        good_http=f"http://127.0.0.1:{plain}",
        bare=f"http://127.0.0.1:{bare}",
        ca_file=str(ca.cert_path),
    )


@pytest.fixture
def ctx(tmp_path: Path) -> Context:
    config = tmp_path / "golive.yaml"
    config.write_text("version: 1\nproject: shop\n")
    return Context(clock=SystemClock(), loaded=load_config(config, environ={}), environ={})


async def check(ctx: Context, **args: Any) -> Finding:
    return await run(SecurityHeadersArgs(**args), ctx)


def results_of(finding: Finding) -> dict[str, dict[str, Any]]:
    return {test["name"]: test for test in finding.evidence["tests"]}


async def test_a_well_configured_site_gets_an_a_plus(sites: Sites, ctx: Context) -> None:
    finding = await check(ctx, url=f"{sites.good}/", ca_file=sites.ca_file)
    assert finding.ok, finding.reason
    assert finding.reason == "grade A+ (score 125)"
    assert finding.evidence["grade"] == "A+"
    assert finding.evidence["final_url"] == f"{sites.good}/"
    tests = results_of(finding)
    assert len(tests) == 10
    assert all(test["pass"] for test in tests.values())
    assert tests["content-security-policy"]["result"] == (
        "csp-implemented-with-no-unsafe-default-src-none"
    )
    assert tests["content-security-policy"]["modifier"] == 10
    assert tests["cookies"]["result"] == "cookies-secure-with-httponly-sessions-and-samesite"
    assert tests["x-frame-options"]["result"] == "x-frame-options-implemented-via-csp"
    assert tests["referrer-policy"]["modifier"] == 5
    assert tests["redirection"]["result"] == "redirection-not-applicable"
    assert finding.warnings == ()


async def test_the_plain_http_address_is_followed_and_its_redirect_scored(
    sites: Sites, ctx: Context
) -> None:
    finding = await check(ctx, url=f"{sites.good_http}/", ca_file=sites.ca_file)
    assert finding.ok, finding.reason
    assert finding.evidence["final_url"] == f"{sites.good}/"
    assert results_of(finding)["redirection"]["result"] == "redirection-to-https"
    assert finding.evidence["grade"] == "A+"


async def test_a_bare_site_gets_an_f_with_fixes(sites: Sites, ctx: Context) -> None:
    finding = await check(ctx, url=f"{sites.bare}/")
    assert not finding.ok
    assert finding.evidence["score"] == 0
    assert finding.evidence["grade"] == "F"
    tests = results_of(finding)
    expected = {
        "cross-origin-resource-sharing": (
            "cross-origin-resource-sharing-implemented-with-universal-access",
            -50,
        ),
        "cookies": ("cookies-session-without-secure-flag", -40),
        "content-security-policy": ("csp-implemented-with-unsafe-inline", -20),
        "redirection": ("redirection-missing", -20),
        "strict-transport-security": ("hsts-not-implemented-no-https", -20),
        "x-frame-options": ("x-frame-options-not-implemented", -20),
        "x-content-type-options": ("x-content-type-options-not-implemented", -5),
    }
    for name, (result, modifier) in expected.items():
        assert (tests[name]["result"], tests[name]["modifier"], tests[name]["pass"]) == (
            result,
            modifier,
            False,
        )
        assert tests[name]["fix"]
    assert finding.reason.startswith(
        "grade F (score 0), needs B: cross-origin-resource-sharing -50: "
    )
    assert "cookies -40: Add Secure to the session cookie" in finding.reason
    assert "(cookie sessionid)" in finding.reason
    assert "content-security-policy -20: Remove 'unsafe-inline' from script-src" in finding.reason
    assert len(finding.reason.split("needs B: ")[1].split("; ")) == 3  # the three worst


async def test_unsafe_inline_costs_points(sites: Sites, ctx: Context) -> None:
    strict = await check(ctx, url=f"{sites.good}/", ca_file=sites.ca_file)
    inline = await check(ctx, url=f"{sites.good}/inline", ca_file=sites.ca_file, min_grade="A")
    csp_test = results_of(inline)["content-security-policy"]
    assert (csp_test["result"], csp_test["modifier"], csp_test["pass"]) == (
        "csp-implemented-with-unsafe-inline",
        -20,
        False,
    )
    # a penalty also forfeits every bonus: the score without them is below 90
    assert (strict.evidence["score"], inline.evidence["score"]) == (125, 80)
    assert not inline.ok
    assert inline.reason.startswith("grade B+ (score 80), needs A: content-security-policy -20")


async def test_hsts_under_a_year_is_a_warning(sites: Sites, ctx: Context) -> None:
    finding = await check(ctx, url=f"{sites.good}/hsts-6-months", ca_file=sites.ca_file)
    assert finding.ok
    hsts = results_of(finding)["strict-transport-security"]
    assert (hsts["result"], hsts["pass"]) == ("hsts-implemented-max-age-at-least-six-months", True)
    assert len(finding.warnings) == 1
    assert "max-age=15552000 (180 days) is under the 1 year" in finding.warnings[0]


async def test_a_wildcard_origin_with_credentials_is_a_warning(sites: Sites, ctx: Context) -> None:
    finding = await check(ctx, url=f"{sites.bare}/wildcard", min_grade="F")
    cors = results_of(finding)["cross-origin-resource-sharing"]
    assert cors["result"] == "cross-origin-resource-sharing-implemented-with-public-access"
    assert any("Access-Control-Allow-Origin: *" in warning for warning in finding.warnings)


async def test_an_unreachable_url_fails_with_the_reason(ctx: Context) -> None:
    port = free_port()
    finding = await check(ctx, url=f"http://127.0.0.1:{port}/")
    assert not finding.ok
    assert finding.reason == f"cannot connect to 127.0.0.1:{port}: connection refused"


async def test_an_untrusted_certificate_fails_with_the_reason(sites: Sites, ctx: Context) -> None:
    finding = await check(ctx, url=f"{sites.good}/")  # no ca_file: the devkit CA is unknown
    assert not finding.ok
    assert "certificate" in finding.reason


async def test_an_error_page_is_not_graded(sites: Sites, ctx: Context) -> None:
    finding = await check(ctx, url=f"{sites.good}/down", ca_file=sites.ca_file)
    assert not finding.ok
    assert finding.reason == f"{sites.good}/down answered 503; the Observatory grades a 2xx page"


def test_scores_map_to_the_observatory_grades() -> None:
    table = {
        135: "A+", 100: "A+", 99: "A", 90: "A", 89: "A-", 85: "A-", 84: "B+", 80: "B+",
        79: "B", 70: "B", 69: "B-", 65: "B-", 64: "C+", 60: "C+", 59: "C", 50: "C",
        49: "C-", 45: "C-", 44: "D+", 40: "D+", 39: "D", 30: "D", 29: "D-", 25: "D-",
        24: "F", 0: "F",
    }  # fmt: skip
    assert {points: grade(points) for points in table} == table
    assert GRADES == ("A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F")
    assert meets("A", "B") and meets("B", "B") and not meets("B-", "B")


def test_bonuses_count_only_when_the_penalties_leave_an_a() -> None:
    bonus = Outcome("referrer-policy", True, "referrer-policy-private")  # +5
    assert score([bonus, Outcome("x", False, "x-content-type-options-not-implemented")]) == 100
    assert score([bonus, Outcome("x", False, "x-frame-options-not-implemented")]) == 80
    assert score([Outcome("c", False, "cookies-session-without-secure-flag")] * 3) == 0


def page(csp_header: str, *, https: bool = True) -> Page:
    url = "https://shop.example/" if https else "http://shop.example/"
    return Page(url, url, {"content-security-policy": [csp_header]})


@pytest.mark.parametrize(
    ("policy", "result"),
    [
        ("default-src 'none'", "csp-implemented-with-no-unsafe-default-src-none"),
        ("default-src 'self'", "csp-implemented-with-no-unsafe"),
        ("script-src 'self'; object-src 'none'; style-src 'self'", "csp-implemented-with-no-unsafe"),
        ("script-src 'self'; object-src 'none'", "csp-implemented-with-unsafe-inline-in-style-src-only"),
        ("script-src 'self'", "csp-implemented-with-unsafe-inline"),  # object-src open
        ("img-src 'self'", "csp-implemented-with-unsafe-inline"),  # no default-src
        ("default-src 'self' 'unsafe-inline'", "csp-implemented-with-unsafe-inline"),
        ("default-src 'self' 'unsafe-inline' 'nonce-abc'", "csp-implemented-with-no-unsafe"),
        ("default-src 'self'; script-src 'self' 'unsafe-eval'", "csp-implemented-with-unsafe-eval"),
        ("default-src 'self'; style-src 'unsafe-inline'", "csp-implemented-with-unsafe-inline-in-style-src-only"),
        ("default-src 'self' http://cdn.example", "csp-implemented-with-insecure-scheme"),
        ("default-src 'self'; default-src 'none'", "csp-header-invalid"),
        ("default-src 'self'; script-src 'strict-dynamic'", "csp-header-invalid"),
    ],
)  # fmt: skip
def test_csp_results_follow_the_observatory(policy: str, result: str) -> None:
    outcome, _ = csp(page(policy))
    assert outcome.result == result


def test_csp_policies_intersect_and_empty_source_lists_are_none() -> None:
    parsed = parse_csp(["script-src 'self' https://a.example; img-src", "script-src 'self'"])
    assert parsed.policy == {"script-src": {"'self'"}, "img-src": {"'none'"}}
    with pytest.raises(CspInvalid):
        parse_csp(["a"])


def test_frame_ancestors_counts_only_from_the_header() -> None:
    body = Page("https://s.example/", "https://s.example/", {}, meta={})
    assert csp(body)[0].result == "csp-not-implemented"
    meta = Page(
        "https://s.example/",
        "https://s.example/",
        {},
        meta={"content-security-policy": ["default-src 'none'; frame-ancestors 'none'"]},
    )
    outcome, frame_ancestors = csp(meta)
    assert outcome.result == "csp-implemented-with-no-unsafe-default-src-none"
    assert not frame_ancestors


@pytest.mark.parametrize(
    ("set_cookie", "hsts_ok", "result"),
    [
        ("sid=1; Secure; HttpOnly; SameSite=Lax", False, "cookies-secure-with-httponly-sessions-and-samesite"),
        ("theme=dark; Secure", False, "cookies-secure-with-httponly-sessions"),
        ("theme=dark", True, "cookies-without-secure-flag-but-protected-by-hsts"),
        ("theme=dark", False, "cookies-without-secure-flag"),
        ("login=1; Secure", False, "cookies-session-without-httponly-flag"),
        ("SESSION=1; HttpOnly", True, "cookies-session-without-secure-flag-but-protected-by-hsts"),
        ("csrftoken=1; Secure", False, "cookies-anticsrf-without-samesite-flag"),
        ("a=1; Secure; SameSite=Sometimes", False, "cookies-samesite-flag-invalid"),
        ("a=1; SameSite=None", True, "cookies-samesite-flag-invalid"),
    ],
)  # fmt: skip
def test_cookie_results_follow_the_observatory(set_cookie: str, hsts_ok: bool, result: str) -> None:
    url = "https://s.example/"
    outcome = cookies(Page(url, url, {}, cookies=[set_cookie]), hsts_ok=hsts_ok)
    assert outcome.result == result


def test_both_built_ins_are_registered() -> None:
    checks = builtin_checks()
    assert checks["security_headers"].args is SecurityHeadersArgs
    assert checks["https_redirect"].supported
