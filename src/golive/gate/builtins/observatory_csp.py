"""The Observatory's page tests: Content-Security-Policy and Subresource Integrity, and the
HTML reading they need (``<meta http-equiv>`` and ``<script src>``).

Follows ``src/analyzer/cspParser.js``, ``tests/csp.js`` and ``tests/subresource-integrity.js``
of github.com/mdn/mdn-http-observatory. golive differs in two small ways, both noted below:
several policies are intersected source by source, and "the same site" for SRI compares the
last two host labels instead of consulting the public-suffix list.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from golive.gate.builtins.observatory import Outcome, Page

BROAD = frozenset(
    ("ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*", "https://*.*")
)
INLINE = frozenset(("'unsafe-inline'", "data:"))
NONCE_OR_HASH = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")
NOT_IN_META = frozenset(("frame-ancestors", "report-uri", "sandbox"))
REPEATABLE = frozenset(("report-uri", "report-to"))
HTML_TYPES = frozenset(("text/html", "application/xhtml+xml"))

Policy = dict[str, set[str]]


class CspInvalid(ValueError):
    """A policy the Observatory cannot parse: too short, or a directive given twice."""


@dataclass
class ParsedCsp:
    policy: Policy = field(default_factory=dict)
    duplicates: set[str] = field(default_factory=set)  # repeated report-uri / report-to


def parse_csp(policies: Sequence[str]) -> ParsedCsp:
    """Directives → sources (lower-case). A source list left empty means ``'none'``. Several
    policies all apply, so a directive keeps only the sources every policy that names it
    allows (the Observatory matches paths too; golive matches sources exactly)."""
    parsed = ParsedCsp()
    for text in (p.replace("\r", "").replace("\n", "").strip() for p in policies):
        if len(text) < len("img-src") - 1:
            raise CspInvalid(f"policy too short: {text!r}")
        seen: set[str] = set()
        for entry in text.split(";"):
            words = entry.split()
            if not words:
                continue
            directive, sources = words[0].lower(), {w.lower() for w in words[1:]}
            if directive in seen:
                if directive not in REPEATABLE:
                    raise CspInvalid(f"{directive} given twice")
                parsed.duplicates.add(directive)
                continue
            seen.add(directive)
            if directive in parsed.policy:
                sources &= parsed.policy[directive]
            parsed.policy[directive] = sources or {"'none'"}
    return parsed


def csp(page: Page) -> tuple[Outcome, bool]:
    """The CSP test, and whether the header sets ``frame-ancestors`` (for X-Frame-Options)."""
    name = "content-security-policy"
    headers = _split(page.headers.get("content-security-policy", ()))
    metas = _split(page.meta.get("content-security-policy", ()))
    try:
        parsed = parse_csp([*headers, *metas])
        from_header = parse_csp(headers).policy
    except CspInvalid as exc:
        return Outcome(name, False, "csp-header-invalid", f"Fix the policy: {exc}."), False
    from_meta = {k: v for k, v in parse_csp(metas).policy.items() if k not in NOT_IN_META}
    if not from_header and not from_meta:
        report_only = page.headers.get("content-security-policy-report-only")
        result = (
            "csp-not-implemented-but-reporting-enabled" if report_only else "csp-not-implemented"
        )
        return Outcome(name, False, result), False
    frame_ancestors = "frame-ancestors" in from_header
    policy = parsed.policy
    default = policy.get("default-src")
    script = set(policy.get("script-src") or default or {"*"})
    style = set(policy.get("style-src") or default or {"*"})
    objects = policy.get("object-src") or default or {"*"}
    for sources in (script, style):
        if sources & INLINE and any(s.startswith(NONCE_OR_HASH) for s in sources):
            sources.discard("'unsafe-inline'")  # ignored by browsers when a nonce/hash is given
    results: list[tuple[str, str]] = []  # (result, fix); the first one found is the result
    if "'strict-dynamic'" in script:
        if any(s.startswith(NONCE_OR_HASH) for s in script):
            script = {
                s
                for s in script
                if s not in ("'self'", "'unsafe-inline'") and not s.startswith(tuple(BROAD))
            }
        else:
            results.append(("csp-header-invalid", "'strict-dynamic' needs a nonce or hash."))
    if unsafe := _unsafe_inline(script, objects, policy):
        results.append(("csp-implemented-with-unsafe-inline", unsafe))
    active = [
        s for d, v in policy.items() if d not in ("img-src", "media-src", "script-src") for s in v
    ]
    if page.https and any(s.startswith(("http:", "ftp:")) for s in [*active, *script]):
        results.append(("csp-implemented-with-insecure-scheme", ""))
    if "'unsafe-eval'" in script | style:
        results.append(("csp-implemented-with-unsafe-eval", ""))
    passive = [s for d in ("img-src", "media-src") for s in policy.get(d) or default or ()]
    if page.https and any(s.startswith(("http:", "ftp:")) for s in passive):
        results.append(("csp-implemented-with-insecure-scheme-in-passive-content-only", ""))
    if style & (BROAD | INLINE):
        results.append(("csp-implemented-with-unsafe-inline-in-style-src-only", ""))
    if default == {"'none'"}:
        results.append(("csp-implemented-with-no-unsafe-default-src-none", ""))
    results.append(("csp-implemented-with-no-unsafe", ""))
    result, fix = results[0]
    passed = result in (
        "csp-implemented-with-no-unsafe",
        "csp-implemented-with-no-unsafe-default-src-none",
        "csp-implemented-with-unsafe-inline-in-style-src-only",
        "csp-implemented-with-insecure-scheme-in-passive-content-only",
    )
    if passed and parsed.duplicates:
        result = "csp-implemented-but-duplicate-directives"
    return Outcome(name, passed, result, fix), frame_ancestors


def _unsafe_inline(script: set[str], objects: set[str], policy: Policy) -> str:
    """Why script-src or object-src is unsafe, as a fix; "" when it is not."""
    if script & INLINE:
        return f"Remove {' and '.join(sorted(script & INLINE))} from script-src (use nonces or hashes)."
    if "script-src" not in policy and "default-src" not in policy:
        return "Restrict scripts: add default-src 'none' (or script-src 'self')."
    if script & BROAD:
        return f"Replace {' '.join(sorted(script & BROAD))} in script-src with the exact sources."
    if "object-src" not in policy and "default-src" not in policy:
        return "Restrict plugins: add object-src 'none' (or default-src 'none')."
    if objects & BROAD:
        return f"Replace {' '.join(sorted(objects & BROAD))} in object-src with 'none'."
    return ""


def _split(values: Sequence[str]) -> list[str]:
    """Header values → policies: a comma separates policies (CSP3 §2.2)."""
    return [p.strip() for value in values for p in value.split(",")]


class PageHtml(HTMLParser):
    """The ``<meta http-equiv>`` values and ``<script>`` tags of a page."""

    def __init__(self, body: str) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.scripts: list[dict[str, str | None]] = []
        self.feed(body)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts.append(values)
        elif tag == "meta" and values.get("http-equiv") and values.get("content") is not None:
            key = str(values["http-equiv"]).strip().lower()
            self.meta.setdefault(key, []).append(str(values["content"]))


def is_html(content_type: str | None) -> bool:
    """Whether a page of ``content_type`` is HTML (no type at all counts as HTML)."""
    mime = (content_type or "").split(";")[0].strip().lower()
    return not mime or mime in HTML_TYPES


# from best to worst, as in the Observatory
_SRI_ORDER = (
    "sri-implemented-and-all-scripts-loaded-securely",
    "sri-implemented-and-external-scripts-loaded-securely",
    "sri-implemented-but-external-scripts-not-loaded-securely",
    "sri-not-implemented-but-external-scripts-loaded-securely",
    "sri-not-implemented-and-external-scripts-not-loaded-securely",
)


def sri(page: Page, scripts: Sequence[dict[str, str | None]]) -> Outcome:
    """Scripts from other sites need ``integrity=`` and https://."""
    name = "subresource-integrity"
    if not is_html(page.header("content-type")):
        return Outcome(name, True, "sri-not-implemented-response-not-html")
    if not scripts:
        return Outcome(name, True, "sri-not-implemented-but-no-scripts-loaded")
    site = _site(urlsplit(page.final_url).hostname or "")
    result: str | None = None
    foreign = False
    for script in scripts:
        src = (script.get("src") or "").strip()
        if not src:
            continue
        integrity = bool(script.get("integrity"))
        lowered = src.lower()
        if lowered.startswith("//"):  # protocol-relative: never counted as secure
            same_origin, secure = False, False
        elif lowered.startswith(("http://", "https://")):
            same_origin = _site(urlsplit(src).hostname or "") == site
            secure = lowered.startswith("https://")
        else:
            same_origin, secure = True, page.https
        if same_origin:
            if integrity and secure and result is None:
                result = _SRI_ORDER[0]
            continue
        foreign = True
        if integrity and not secure:
            found = "sri-implemented-but-external-scripts-not-loaded-securely"
        elif not integrity and secure:
            found = "sri-not-implemented-but-external-scripts-loaded-securely"
        elif not integrity:
            found = "sri-not-implemented-and-external-scripts-not-loaded-securely"
        else:
            continue
        if result is None or _SRI_ORDER.index(found) > _SRI_ORDER.index(result):
            result = found
    if result is None:
        result = (
            "sri-implemented-and-external-scripts-loaded-securely"
            if foreign
            else "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
        )
    passed = result in (
        *_SRI_ORDER[:2],
        "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
    )
    return Outcome(name, passed, result)


def _site(host: str) -> str:
    """The site of a host: an IP address itself, else its last two labels (the Observatory
    uses the registrable domain from the public-suffix list)."""
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return ".".join(host.split(".")[-2:])
    return host
