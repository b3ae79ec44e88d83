"""Mozilla HTTP Observatory scoring: result codes, their modifiers, the grade chart.

Sources (read 2025): the MDN HTTP Observatory, github.com/mdn/mdn-http-observatory —
``src/grader/charts.js`` (``SCORE_TABLE`` modifiers, ``GRADE_CHART``,
``MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90``), ``src/scanner/index.js`` (how the score is summed) and
``src/analyzer/tests/*.js`` (each test's logic); and the scoring methodology of the original
github.com/mozilla/http-observatory, ``httpobs/docs/scoring.md`` (now on MDN as "HTTP
Observatory: Tests & Scoring"). The result codes below are the Observatory's own, so a finding
can be compared with a real scan line by line.

Scoring: start at 100 and add every test's modifier. Bonuses (positive modifiers) count only
when the score with the penalties alone is 90 or more; the score never goes below 0. Grades:
100+ A+, 90 A, 85 A-, 80 B+, 70 B, 65 B-, 60 C+, 50 C, 45 C-, 40 D+, 30 D, 25 D-, below F.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

MINIMUM_SCORE_FOR_EXTRA_CREDIT = 90

GRADE_FLOORS: tuple[tuple[int, str], ...] = (
    (100, "A+"),
    (90, "A"),
    (85, "A-"),
    (80, "B+"),
    (70, "B"),
    (65, "B-"),
    (60, "C+"),
    (50, "C"),
    (45, "C-"),
    (40, "D+"),
    (30, "D"),
    (25, "D-"),
    (0, "F"),
)
GRADES: tuple[str, ...] = tuple(grade for _, grade in GRADE_FLOORS)  # best first

_SET_UP_HTTPS = "serve the site over HTTPS with Strict-Transport-Security"

# result code -> (modifier, one-sentence fix; "" when there is nothing to fix)
RESULTS: dict[str, tuple[int, str]] = {
    # content-security-policy
    "csp-implemented-with-no-unsafe-default-src-none": (10, ""),
    "csp-implemented-with-no-unsafe": (5, "Start the policy from default-src 'none'."),
    "csp-implemented-with-unsafe-inline-in-style-src-only": (
        0,
        "Remove 'unsafe-inline', data: and broad sources from style-src.",
    ),
    "csp-implemented-with-insecure-scheme-in-passive-content-only": (
        -10,
        "Load images and media over HTTPS and drop http: sources from img-src and media-src.",
    ),
    "csp-implemented-with-unsafe-eval": (-10, "Stop using eval() and remove 'unsafe-eval'."),
    "csp-implemented-with-unsafe-inline": (
        -20,
        "Remove 'unsafe-inline' and data: from script-src and set script-src and object-src "
        "(or default-src 'none').",
    ),
    "csp-implemented-with-insecure-scheme": (-20, "Remove every http: source from the policy."),
    "csp-implemented-but-duplicate-directives": (0, "Give report-uri and report-to only once."),
    "csp-header-invalid": (
        -25,
        "Fix the Content-Security-Policy syntax: each directive once, separated by ';'.",
    ),
    "csp-not-implemented": (
        -25,
        "Add a Content-Security-Policy header, e.g. default-src 'none'; script-src 'self'; "
        "frame-ancestors 'none'.",
    ),
    "csp-not-implemented-but-reporting-enabled": (
        -25,
        "Enforce the policy with Content-Security-Policy, not only the -Report-Only header.",
    ),
    # cookies
    "cookies-not-found": (0, ""),
    "cookies-secure-with-httponly-sessions-and-samesite": (5, ""),
    "cookies-secure-with-httponly-sessions": (0, "Add SameSite=Lax or Strict to every cookie."),
    "cookies-without-secure-flag-but-protected-by-hsts": (-5, "Add Secure to every cookie."),
    "cookies-session-without-secure-flag-but-protected-by-hsts": (
        -10,
        "Add Secure to the session cookie.",
    ),
    "cookies-without-secure-flag": (-20, f"Add Secure to every cookie and {_SET_UP_HTTPS}."),
    "cookies-samesite-flag-invalid": (
        -20,
        "Set SameSite to Strict or Lax (SameSite=None needs Secure).",
    ),
    "cookies-anticsrf-without-samesite-flag": (
        -20,
        "Set SameSite=Strict or Lax on the anti-CSRF cookie.",
    ),
    "cookies-session-without-httponly-flag": (-30, "Add HttpOnly to the session cookie."),
    "cookies-session-without-secure-flag": (
        -40,
        f"Add Secure to the session cookie and {_SET_UP_HTTPS}.",
    ),
    # cross-origin-resource-sharing
    "cross-origin-resource-sharing-not-implemented": (0, ""),
    "cross-origin-resource-sharing-implemented-with-public-access": (0, ""),
    "cross-origin-resource-sharing-implemented-with-restricted-access": (0, ""),
    "cross-origin-resource-sharing-implemented-with-universal-access": (
        -50,
        "Allow credentialed CORS only for a fixed list of origins, never by echoing Origin.",
    ),
    # redirection
    "redirection-to-https": (0, ""),
    "redirection-not-applicable": (0, ""),  # golive: an https:// URL, checked by https_redirect
    "redirection-off-host-from-http": (
        -5,
        "Redirect to https:// on the same host first, then to the other host.",
    ),
    "redirection-not-to-https-on-initial-redirection": (
        -10,
        "Make the first redirect go to https:// on the same host.",
    ),
    "redirection-not-to-https": (-20, "Make the redirects end on an https:// URL."),
    "redirection-missing": (-20, "Redirect http:// to https:// on the same host with a 301."),
    # referrer-policy
    "referrer-policy-private": (5, ""),
    "referrer-policy-not-implemented": (
        0,
        "Add Referrer-Policy: strict-origin-when-cross-origin or stricter.",
    ),
    "referrer-policy-unsafe": (
        -5,
        "Set Referrer-Policy to strict-origin-when-cross-origin or stricter.",
    ),
    "referrer-policy-header-invalid": (
        -5,
        "Set Referrer-Policy to a valid value such as strict-origin-when-cross-origin.",
    ),
    # strict-transport-security
    "hsts-implemented-max-age-at-least-six-months": (0, ""),
    "hsts-implemented-max-age-less-than-six-months": (
        -10,
        "Raise Strict-Transport-Security max-age to at least 31536000 (1 year).",
    ),
    "hsts-not-implemented": (-20, "Add Strict-Transport-Security: max-age=63072000."),
    "hsts-header-invalid": (
        -20,
        "Send one Strict-Transport-Security header with a max-age, e.g. max-age=63072000.",
    ),
    "hsts-not-implemented-no-https": (-20, f"{_SET_UP_HTTPS[0].upper()}{_SET_UP_HTTPS[1:]}."),
    # subresource-integrity
    "sri-implemented-and-all-scripts-loaded-securely": (5, ""),
    "sri-implemented-and-external-scripts-loaded-securely": (5, ""),
    "sri-not-implemented-response-not-html": (0, ""),
    "sri-not-implemented-but-no-scripts-loaded": (0, ""),
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": (0, ""),
    "sri-not-implemented-but-external-scripts-loaded-securely": (
        -5,
        "Add integrity= and crossorigin= to scripts from other sites.",
    ),
    "sri-implemented-but-external-scripts-not-loaded-securely": (
        -20,
        "Load external scripts over https://.",
    ),
    "sri-not-implemented-and-external-scripts-not-loaded-securely": (
        -50,
        "Load external scripts over https:// and add integrity= to them.",
    ),
    # x-content-type-options
    "x-content-type-options-nosniff": (0, ""),
    "x-content-type-options-not-implemented": (-5, "Add X-Content-Type-Options: nosniff."),
    "x-content-type-options-header-invalid": (-5, "Set X-Content-Type-Options to nosniff."),
    # x-frame-options
    "x-frame-options-implemented-via-csp": (5, ""),
    "x-frame-options-sameorigin-or-deny": (0, ""),
    "x-frame-options-allow-from-origin": (0, ""),
    "x-frame-options-not-implemented": (
        -20,
        "Add CSP frame-ancestors 'none' (or X-Frame-Options: DENY).",
    ),
    "x-frame-options-header-invalid": (
        -20,
        "Set X-Frame-Options to DENY or SAMEORIGIN, or use CSP frame-ancestors.",
    ),
    # cross-origin-resource-policy
    "corp-not-implemented": (0, ""),
    "corp-implemented-with-same-origin": (10, ""),
    "corp-implemented-with-same-site": (10, ""),
    "corp-implemented-with-cross-origin": (0, ""),
    "corp-header-invalid": (
        -5,
        "Set Cross-Origin-Resource-Policy to same-origin, same-site or cross-origin.",
    ),
}


@dataclass(frozen=True)
class Outcome:
    """One Observatory test's result."""

    name: str
    passed: bool
    result: str
    fix: str = ""  # overrides the table's fix when the test knows more (a cookie's name)

    @property
    def modifier(self) -> int:
        return RESULTS[self.result][0]

    @property
    def how_to_fix(self) -> str:
        return self.fix or RESULTS[self.result][1]

    def evidence(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "pass": self.passed,
            "modifier": self.modifier,
            "result": self.result,
            "fix": self.how_to_fix,
        }


@dataclass(frozen=True)
class Page:
    """What the tests look at: the fetched page, its redirects and its CORS answer."""

    url: str  # as asked for
    final_url: str
    headers: Mapping[str, Sequence[str]]  # the final response's; lower-case names
    route: Sequence[str] = ()  # every URL visited, ``url`` first and ``final_url`` last
    cookies: Sequence[str] = ()  # every Set-Cookie along the route
    cors: Mapping[str, Sequence[str]] | None = None  # the CORS preflight answer's headers
    cors_origin: str = ""
    meta: Mapping[str, Sequence[str]] = field(default_factory=dict)  # <meta http-equiv>

    @property
    def https(self) -> bool:
        return self.final_url.lower().startswith("https:")

    def header(self, name: str) -> str | None:
        """All values of ``name`` joined with ", " (as one field), or None when absent."""
        values = self.headers.get(name)
        return ", ".join(values) if values else None


def score(outcomes: Iterable[Outcome]) -> int:
    """100 plus the modifiers; bonuses only when the penalties alone leave 90 or more."""
    modifiers = [outcome.modifier for outcome in outcomes]
    uncurved = 100 + sum(m for m in modifiers if m < 0)
    total = 100 + sum(modifiers) if uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT else uncurved
    return max(total, 0)


def grade(points: int) -> str:
    """The Observatory's letter grade for a score."""
    return next(letter for floor, letter in GRADE_FLOORS if points >= floor)


def meets(actual: str, needed: str) -> bool:
    """Whether grade ``actual`` is ``needed`` or better."""
    return GRADES.index(actual) <= GRADES.index(needed)
