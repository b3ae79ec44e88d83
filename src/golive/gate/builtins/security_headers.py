"""``security_headers`` — a page's security headers, graded the way the Mozilla HTTP
Observatory grades them (tests, modifiers and grade chart: ``observatory.py``).

Two requests: a GET of ``url`` (following redirects unless told not to) whose final answer is
scored, and a CORS preflight (OPTIONS with a foreign ``Origin``) to that final URL, as the
Observatory does. Ten tests: Content-Security-Policy, cookies, CORS, redirection,
Referrer-Policy, Strict-Transport-Security, Subresource Integrity, X-Content-Type-Options,
X-Frame-Options, Cross-Origin-Resource-Policy. The item passes when the grade is ``min_grade``
or better. Beyond the Observatory, golive warns when HSTS is under the one year it asks for.

Not scored (the Observatory needs data golive does not carry): the HSTS preload list (+5 for a
preloaded host) and cookies set by ``/robots.txt``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from golive.gate.builtins import observatory_csp as page_tests
from golive.gate.builtins import observatory_headers as header_tests
from golive.gate.builtins.base import Args, Builtin, Context, Finding
from golive.gate.builtins.observatory import Outcome, Page, grade, meets, score
from golive.gate.builtins.webclient import Fetched, FetchError, fetch, tls_option, web_session

CORS_ORIGIN = "https://cors-probe.golive.invalid"
Grade = Literal["A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F"]


class SecurityHeadersArgs(Args):
    url: str
    min_grade: Grade = "B"
    follow_redirects: bool = True
    headers: dict[str, str] = Field(default_factory=dict)
    verify_tls: bool = True
    ca_file: str | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("give an http:// or https:// URL")
        return value


def observe(page: Page, scripts: list[dict[str, str | None]]) -> list[Outcome]:
    """The ten Observatory tests of one page, in the Observatory's order."""
    csp, frame_ancestors = page_tests.csp(page)
    hsts = header_tests.hsts(page)
    return [
        csp,
        header_tests.cookies(page, hsts_ok=hsts.passed),
        header_tests.cors(page),
        header_tests.redirection(page),
        header_tests.referrer_policy(page),
        hsts,
        page_tests.sri(page, scripts),
        header_tests.x_content_type_options(page),
        header_tests.x_frame_options(page, frame_ancestors=frame_ancestors),
        header_tests.cross_origin_resource_policy(page),
    ]


async def run(args: SecurityHeadersArgs, ctx: Context) -> Finding:
    redact = ctx.secrets.redact
    ca_file = str(ctx.loaded.relative(args.ca_file)) if args.ca_file else None
    warnings: list[str] = []
    try:
        tls = await tls_option(verify=args.verify_tls, ca_file=ca_file)
        async with web_session(ctx.timeout) as session:
            answer = await fetch(
                session,
                args.url,
                tls=tls,
                headers=args.headers,
                follow=args.follow_redirects,
                read_body=True,
            )
            preflight_headers = {
                **args.headers,
                "Origin": CORS_ORIGIN,
                "Access-Control-Request-Method": "GET",
            }
            try:
                preflight: Fetched | None = await fetch(
                    session, answer.url, tls=tls, method="OPTIONS", headers=preflight_headers
                )
            except FetchError as exc:
                preflight = None
                warnings.append(f"CORS preflight got no answer ({exc.message}); CORS not scored")
    except FetchError as exc:
        return Finding(False, redact(exc.message), {"url": redact(args.url)})
    evidence: dict[str, object] = {
        "url": redact(args.url),
        "final_url": redact(answer.url),
        "status": answer.status,
    }
    if not 200 <= answer.status < 300:
        hint = "" if args.follow_redirects else " (follow_redirects is off)"
        reason = f"{answer.url} answered {answer.status}{hint}; the Observatory grades a 2xx page"
        return Finding(False, redact(reason), evidence)

    page, scripts = _page(args.url, answer, preflight, warnings)
    outcomes = observe(page, scripts)
    points = score(outcomes)
    letter = grade(points)
    warnings.extend(_warnings(page, args))
    evidence.update(
        score=points,
        grade=letter,
        min_grade=args.min_grade,
        tests=[outcome.evidence() for outcome in outcomes],
    )
    if meets(letter, args.min_grade):
        return Finding(True, f"grade {letter} (score {points})", evidence, tuple(warnings))
    worst = sorted(
        (o for o in outcomes if not o.passed or o.modifier < 0), key=lambda o: o.modifier
    )
    fixes = "; ".join(f"{o.name} {o.modifier:+d}: {o.how_to_fix.rstrip('.')}" for o in worst[:3])
    reason = f"grade {letter} (score {points}), needs {args.min_grade}: {fixes}"
    return Finding(False, redact(reason), evidence, tuple(warnings))


def _page(
    url: str, answer: Fetched, preflight: Fetched | None, warnings: list[str]
) -> tuple[Page, list[dict[str, str | None]]]:
    route = [*(hop.url for hop in answer.history), answer.url] if answer.history else [url]
    cookies = [c for hop in (*answer.history, answer) for c in hop.headers.get("set-cookie", ())]
    meta: dict[str, list[str]] = {}
    scripts: list[dict[str, str | None]] = []
    if answer.body_truncated:
        warnings.append("the page is over 1 MiB; SRI and <meta> were read from its first 1 MiB")
    if page_tests.is_html(answer.first("content-type")):
        try:
            html = page_tests.PageHtml(answer.body)
            meta, scripts = html.meta, html.scripts
        except (AssertionError, ValueError) as exc:  # html.parser gives up on a few inputs
            warnings.append(f"the page's HTML could not be read ({exc}); SRI and <meta> skipped")
    page = Page(
        url=url,
        final_url=answer.url,
        headers=answer.headers,
        route=route,
        cookies=cookies,
        cors=preflight.headers if preflight else None,
        cors_origin=CORS_ORIGIN,
        meta=meta,
    )
    return page, scripts


def _warnings(page: Page, args: SecurityHeadersArgs) -> list[str]:
    warnings = []
    max_age = header_tests.hsts_max_age(page)
    if page.https and max_age is not None and max_age < header_tests.ONE_YEAR:
        warnings.append(
            f"Strict-Transport-Security max-age={max_age} ({max_age // 86400} days) is under "
            "the 1 year golive asks for: raise it to 31536000 or more"
        )
    if header_tests.cors_wildcard_with_credentials(page):
        warnings.append(
            "Access-Control-Allow-Origin: * with Access-Control-Allow-Credentials: true — "
            "browsers refuse that pair (scored as public access); drop the credentials header "
            "or list the allowed origins"
        )
    if page.https and not args.verify_tls:
        warnings.append("TLS not verified (verify_tls: false): HSTS counts only with a valid cert")
    return warnings


BUILTIN = Builtin(
    name="security_headers",
    args=SecurityHeadersArgs,
    run=run,
    summary="security headers graded like the Mozilla HTTP Observatory (A+ … F); "
    "passes at min_grade or better",
)
