"""``https_redirect`` — plain HTTP answers with a redirect to https:// on the same host.

The first answer must be a redirect (``expect_status``: 301, 302, 307 or 308 by default) whose
``Location`` is https:// on the host asked for — the port may differ — because a browser
learns HSTS for a host only from that host's own HTTPS answer (the Observatory's
"redirection" test). The redirects after it are followed one by one and must never lead back to
http://. A temporary redirect (302, 307) passes with a warning: browsers and caches do not
remember it, so every visit starts over plain HTTP.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

from pydantic import Field, field_validator

from golive.gate.builtins.base import Args, Builtin, Context, Finding
from golive.gate.builtins.webclient import FetchError, fetch, tls_option, web_session

TEMPORARY = frozenset((302, 303, 307))


class HttpsRedirectArgs(Args):
    url: str
    expect_status: list[int] = Field(default_factory=lambda: [301, 302, 307, 308], min_length=1)
    max_redirects: int = Field(default=10, ge=1)
    verify_tls: bool = True
    ca_file: str | None = None

    @field_validator("url")
    @classmethod
    def _plain_http(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme.lower() != "http" or not parts.hostname:
            raise ValueError("give a plain http:// URL: the check is that it redirects to https")
        return value

    @field_validator("expect_status")
    @classmethod
    def _redirect_statuses(cls, value: list[int]) -> list[int]:
        wrong = [status for status in value if not 300 <= status <= 399]
        if wrong:
            raise ValueError(f"not redirect statuses: {wrong}; give 3xx codes such as 301, 308")
        return value


async def run(args: HttpsRedirectArgs, ctx: Context) -> Finding:
    redact = ctx.secrets.redact
    host = urlsplit(args.url).hostname
    hops: list[dict[str, Any]] = []
    evidence: dict[str, Any] = {"url": redact(args.url), "hops": hops}

    def fail(reason: str) -> Finding:
        return Finding(False, redact(reason), evidence)

    ca_file = str(ctx.loaded.relative(args.ca_file)) if args.ca_file else None
    try:
        tls = await tls_option(verify=args.verify_tls, ca_file=ca_file)
    except FetchError as exc:
        return fail(exc.message)
    async with web_session(ctx.timeout) as session:
        current, status = args.url, 0
        for hop in range(args.max_redirects + 1):
            try:
                answer = await fetch(session, current, tls=tls)
            except FetchError as exc:
                return fail(
                    exc.message if hop == 0 else f"the redirect to {current} fails: {exc.message}"
                )
            raw_location = answer.first("location")
            is_redirect = 300 <= answer.status <= 399 and raw_location is not None
            location = urljoin(current, raw_location) if is_redirect and raw_location else None
            hops.append(
                {
                    "url": redact(current),
                    "status": answer.status,
                    "location": location and redact(location),
                }
            )
            if hop == 0:
                status = answer.status
                evidence.update(status=status, location=hops[0]["location"])
                if location is None:
                    return fail(
                        f"{args.url} answered {status} without redirecting: answer every http:// "
                        f"request with a 301 to https://{host}/ and the same path"
                    )
                if status not in args.expect_status:
                    expected = ", ".join(map(str, args.expect_status))
                    return fail(f"{args.url} redirects with {status}, expected one of {expected}")
                if not location.lower().startswith("https://"):
                    return fail(
                        f"{args.url} redirects to {location}, not https://: make the first "
                        f"redirect go to https://{host}/"
                    )
                if urlsplit(location).hostname != host:
                    return fail(
                        f"{args.url} redirects to another host ({urlsplit(location).hostname}): "
                        f"redirect to https://{host}/ first, where HSTS can be set, then onwards"
                    )
            elif location is not None and not location.lower().startswith("https://"):
                return fail(f"{current} redirects back to plain HTTP ({location})")
            if location is None:
                break
            current = location
        else:
            return fail(f"more than {args.max_redirects} redirects after {args.url}")
    evidence.update(final_url=redact(current), final_status=answer.status)
    warnings = []
    if status in TEMPORARY:
        warnings.append(
            f"{status} is a temporary redirect: browsers and caches do not remember it; use 301 "
            "or 308"
        )
    if answer.status >= 400:
        warnings.append(f"the redirects end at {current}, which answered {answer.status}")
    reason = f"{status} to {hops[0]['location']} on the same host"
    if len(hops) > 2:
        reason += f", ends at {current} ({answer.status})"
    return Finding(True, redact(reason), evidence, tuple(warnings))


BUILTIN = Builtin(
    name="https_redirect",
    args=HttpsRedirectArgs,
    run=run,
    summary="plain HTTP redirects to https:// on the same host (301/308; 302/307 warn)",
)
