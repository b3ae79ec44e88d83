"""The Observatory's header tests: HSTS, cookies, CORS, redirection, Referrer-Policy,
X-Content-Type-Options, X-Frame-Options and Cross-Origin-Resource-Policy.

Each follows ``src/analyzer/tests/<name>.js`` of github.com/mdn/mdn-http-observatory; where
golive differs it says so. Codes and modifiers live in ``observatory.RESULTS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from golive.gate.builtins.observatory import Outcome, Page

SIX_MONTHS = 15_552_000  # the Observatory's "white lie": 180 days, as many sites send
ONE_YEAR = 31_536_000


def hsts_max_age(page: Page) -> int | None:
    """The ``max-age`` of the one Strict-Transport-Security header; None when absent or bad."""
    values = page.headers.get("strict-transport-security") or []
    if len(values) != 1 or "," in values[0]:
        return None
    for part in values[0].split(";"):
        name, _, value = part.strip().lower().partition("=")
        if name == "max-age":
            try:
                return int(value.strip().strip('"'))
            except ValueError:
                return None
    return None


def hsts(page: Page) -> Outcome:
    """Only an HTTPS answer can set HSTS; six months is enough for the Observatory."""
    name = "strict-transport-security"
    if not page.https:
        return Outcome(name, False, "hsts-not-implemented-no-https")
    if not page.headers.get("strict-transport-security"):
        return Outcome(name, False, "hsts-not-implemented")
    max_age = hsts_max_age(page)
    if max_age is None:
        return Outcome(name, False, "hsts-header-invalid")
    if max_age < SIX_MONTHS:
        return Outcome(name, False, "hsts-implemented-max-age-less-than-six-months")
    return Outcome(name, True, "hsts-implemented-max-age-at-least-six-months")


@dataclass(frozen=True)
class Cookie:
    name: str
    secure: bool
    httponly: bool
    samesite: str | None  # lower-case value; "" when given without one

    @classmethod
    def parse(cls, header: str) -> Cookie:
        first, *attributes = header.split(";")
        flags: dict[str, str] = {}
        for attribute in attributes:
            key, _, value = attribute.strip().partition("=")
            flags.setdefault(key.strip().lower(), value.strip().lower())
        return cls(
            name=first.partition("=")[0].strip(),
            secure="secure" in flags,
            httponly="httponly" in flags,
            samesite=flags.get("samesite"),
        )


# from best to worst: a cookie's finding replaces the current one only when it is worse
_COOKIE_ORDER = (
    "cookies-without-secure-flag-but-protected-by-hsts",
    "cookies-without-secure-flag",
    "cookies-session-without-secure-flag-but-protected-by-hsts",
    "cookies-samesite-flag-invalid",
    "cookies-anticsrf-without-samesite-flag",
    "cookies-session-without-httponly-flag",
    "cookies-session-without-secure-flag",
)


def cookies(page: Page, *, hsts_ok: bool) -> Outcome:
    """Secure on every cookie, HttpOnly on session cookies (name has "sess" or "login"),
    SameSite on anti-CSRF cookies; all with SameSite for the bonus."""
    name = "cookies"
    jar = [Cookie.parse(header) for header in page.cookies]
    jar = [cookie for cookie in jar if cookie.name and cookie.name != "heroku-session-affinity"]
    if not jar:
        return Outcome(name, True, "cookies-not-found")
    worst: tuple[int, str] | None = None  # (rank, cookie name)
    for cookie in jar:
        lowered = cookie.name.lower()
        session = "sess" in lowered or "login" in lowered
        found = []
        if cookie.samesite is not None and cookie.samesite not in ("lax", "strict", "none"):
            found.append(3)
        if not cookie.secure and cookie.samesite == "none":
            found.append(3)
        if not cookie.secure:
            found.append(0 if hsts_ok else 1)
        if "csrf" in lowered and not cookie.samesite:
            found.append(4)
        if session and not cookie.secure:
            found.append(2 if hsts_ok else 6)
        if session and not cookie.httponly:
            found.append(5)
        for rank in found:
            if worst is None or rank > worst[0]:
                worst = (rank, cookie.name)
    if worst is not None:
        result = _COOKIE_ORDER[worst[0]]
        fix = f"{_cookie_fix(result).rstrip('.')} (cookie {worst[1]})."
        return Outcome(name, False, result, fix)
    if any(not cookie.samesite for cookie in jar):
        return Outcome(name, True, "cookies-secure-with-httponly-sessions")
    return Outcome(name, True, "cookies-secure-with-httponly-sessions-and-samesite")


def _cookie_fix(result: str) -> str:
    return Outcome("cookies", False, result).how_to_fix


def cors(page: Page) -> Outcome:
    """Credentialed access for any origin (the preflight echoes our Origin with
    ``Access-Control-Allow-Credentials: true``) is the one failure; ``*`` is public access."""
    name = "cross-origin-resource-sharing"
    headers = page.cors or {}
    allow = ", ".join(headers.get("access-control-allow-origin", ())).strip().lower()
    if not allow:
        return Outcome(name, True, "cross-origin-resource-sharing-not-implemented")
    if allow == "*":
        return Outcome(name, True, "cross-origin-resource-sharing-implemented-with-public-access")
    credentials = ", ".join(headers.get("access-control-allow-credentials", ()))
    if allow == page.cors_origin.lower() and credentials.strip().lower() == "true":
        return Outcome(
            name, False, "cross-origin-resource-sharing-implemented-with-universal-access"
        )
    return Outcome(name, True, "cross-origin-resource-sharing-implemented-with-restricted-access")


def cors_wildcard_with_credentials(page: Page) -> bool:
    """``*`` with credentials: the Observatory scores it as public access (browsers refuse to
    send credentials to ``*``), but it says someone meant credentialed access for everyone."""
    headers = page.cors or {}
    allow = ", ".join(headers.get("access-control-allow-origin", ())).strip()
    credentials = ", ".join(headers.get("access-control-allow-credentials", ())).strip().lower()
    return allow == "*" and credentials == "true"


def redirection(page: Page) -> Outcome:
    """For an http:// URL: the first redirect goes to https:// on the same host and the last
    URL is https://. golive differs: an https:// URL is not applicable (``https_redirect``
    checks the plain-HTTP side), where the Observatory always tries http:// itself."""
    name = "redirection"
    route = list(page.route) or [page.url]
    if urlsplit(route[0]).scheme.lower() != "http":
        return Outcome(name, True, "redirection-not-applicable")
    if len(route) == 1:
        return Outcome(name, False, "redirection-missing")
    first, second, last = urlsplit(route[0]), urlsplit(route[1]), urlsplit(route[-1])
    if last.scheme.lower() != "https":
        return Outcome(name, False, "redirection-not-to-https")
    if second.scheme.lower() == "http":
        return Outcome(name, False, "redirection-not-to-https-on-initial-redirection")
    if first.hostname != second.hostname:
        return Outcome(name, False, "redirection-off-host-from-http")
    return Outcome(name, True, "redirection-to-https")


_PRIVATE = ("no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin")
_UNSAFE = ("origin", "origin-when-cross-origin", "unsafe-url", "no-referrer-when-downgrade")


def referrer_policy(page: Page) -> Outcome:
    """The last known value among the header and ``<meta http-equiv>`` values decides."""
    name = "referrer-policy"
    values: Sequence[str] = [
        *page.headers.get("referrer-policy", ()),
        *page.meta.get("referrer-policy", ()),
    ]
    if not values:
        return Outcome(name, True, "referrer-policy-not-implemented")
    known = [
        token.strip().lower()
        for token in ",".join(values).split(",")
        if token.strip().lower() in (*_PRIVATE, *_UNSAFE)
    ]
    policy = known[-1] if known else ""
    if policy in _PRIVATE:
        return Outcome(name, True, "referrer-policy-private")
    if policy in _UNSAFE:
        return Outcome(name, False, "referrer-policy-unsafe")
    return Outcome(name, False, "referrer-policy-header-invalid")


def x_content_type_options(page: Page) -> Outcome:
    name = "x-content-type-options"
    value = page.header("x-content-type-options")
    if value is None:
        return Outcome(name, False, "x-content-type-options-not-implemented")
    if value.strip().lower() != "nosniff":
        return Outcome(name, False, "x-content-type-options-header-invalid")
    return Outcome(name, True, "x-content-type-options-nosniff")


def x_frame_options(page: Page, *, frame_ancestors: bool) -> Outcome:
    """A CSP ``frame-ancestors`` (from the header) wins over any X-Frame-Options."""
    name = "x-frame-options"
    if frame_ancestors:
        return Outcome(name, True, "x-frame-options-implemented-via-csp")
    value = page.header("x-frame-options")
    if value is None:
        return Outcome(name, False, "x-frame-options-not-implemented")
    lowered = value.strip().lower()
    if lowered in ("deny", "sameorigin"):
        return Outcome(name, True, "x-frame-options-sameorigin-or-deny")
    if lowered.startswith("allow-from"):
        return Outcome(name, True, "x-frame-options-allow-from-origin")
    return Outcome(name, False, "x-frame-options-header-invalid")


def cross_origin_resource_policy(page: Page) -> Outcome:
    name = "cross-origin-resource-policy"
    value = page.header("cross-origin-resource-policy")
    if value is None and page.meta.get("cross-origin-resource-policy"):
        value = page.meta["cross-origin-resource-policy"][-1]
    if value is None:
        return Outcome(name, True, "corp-not-implemented")
    result = {
        "same-site": "corp-implemented-with-same-site",
        "same-origin": "corp-implemented-with-same-origin",
        "cross-origin": "corp-implemented-with-cross-origin",
    }.get(value.strip().lower(), "corp-header-invalid")
    return Outcome(name, result != "corp-header-invalid", result)
