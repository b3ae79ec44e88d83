"""``rate_limit`` — the endpoint limits a client that sends too fast, and says when to retry.

Sends at most ``requests`` requests to ``url`` (that URL only: redirects are not followed),
spread evenly over ``within`` (as fast as possible when ``within`` is shorter than the requests
take), at most ``CONCURRENCY`` at a time. It stops sending at the first answer with
``expect_status`` that carries ``Retry-After`` or a ``RateLimit`` / ``RateLimit-*`` /
``X-RateLimit-*`` header: the limit is proven, more requests would only add load. Passes when
such an answer came; fails when no answer had ``expect_status`` (no limit), or when limited
answers never said when to retry. Request headers (which may hold tokens) never reach the
evidence; only rate-limit response headers do.
"""

from __future__ import annotations

import ssl
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator

from golive.config.units import Duration
from golive.gate.builtins.base import Args, Builtin, Context, Finding
from golive.gate.builtins.webclient import FetchError, tls_option
from golive.probes.base import os_reason

if TYPE_CHECKING:
    import asyncio

    import aiohttp

CONCURRENCY = 32
# the gate runner stops an item after 120 s (gate.items.ITEM_TIME_LIMIT): leave room for the
# last answers, so a longer window is a config error rather than a timeout at run time
MAX_WITHIN = timedelta(seconds=90)


class RateLimitArgs(Args):
    url: str = Field(min_length=1, pattern=r"^https?://")
    requests: int = Field(ge=1, le=1000)
    within: Duration
    expect_status: int = Field(default=429, ge=100, le=599)
    method: str = "GET"
    headers: dict[str, str] = Field(default_factory=dict)
    verify_tls: bool = True
    ca_file: str | None = None

    @field_validator("within")
    @classmethod
    def _bounded(cls, value: timedelta) -> timedelta:
        if not timedelta(0) <= value <= MAX_WITHIN:
            raise ValueError(f"expected a duration from 0s to {MAX_WITHIN.seconds}s")
        return value

    @field_validator("method")
    @classmethod
    def _upper(cls, value: str) -> str:
        if not value.isalpha():
            raise ValueError(f"expected an HTTP method such as GET or POST, got {value!r}")
        return value.upper()


def is_rate_limit_header(name: str) -> bool:
    lower = name.lower()
    return lower in ("retry-after", "ratelimit") or lower.startswith(
        ("ratelimit-", "x-ratelimit-", "x-rate-limit-")
    )


@dataclass
class _Tally:
    """What the answers said, in the order the requests were sent."""

    proven: asyncio.Event  # set at the first limited answer that said when to retry
    sent: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    first_limited: int | None = None  # request number (1-based) of the first expect_status
    proven_at: int | None = None  # ... of the first one that also said when to retry
    limited_headers: dict[str, str] = field(default_factory=dict)
    headers_seen: set[str] = field(default_factory=set)


async def _one(
    session: aiohttp.ClientSession,
    args: RateLimitArgs,
    number: int,
    tally: _Tally,
    tls: ssl.SSLContext | bool,
) -> None:
    import aiohttp

    try:
        async with session.request(
            args.method, args.url, headers=args.headers, allow_redirects=False, ssl=tls
        ) as response:
            await response.read()
            status, headers = response.status, response.headers
    except TimeoutError:
        tally.errors["no answer in time"] += 1
        return
    except aiohttp.ClientConnectorError as exc:
        tally.errors[f"cannot connect: {os_reason(exc.os_error)}"] += 1
        return
    except aiohttp.ClientError as exc:
        tally.errors[f"{type(exc).__name__}: {exc}"[:200]] += 1
        return
    tally.statuses[str(status)] += 1
    limits = {name: value for name, value in headers.items() if is_rate_limit_header(name)}
    tally.headers_seen.update(limits)
    if status != args.expect_status:
        return
    if tally.first_limited is None or number < tally.first_limited:
        tally.first_limited = number
    if limits and (tally.proven_at is None or number < tally.proven_at):
        tally.proven_at, tally.limited_headers = number, limits
        tally.proven.set()


async def _send_all(
    args: RateLimitArgs, limits: aiohttp.ClientTimeout, tally: _Tally, tls: ssl.SSLContext | bool
) -> None:
    import asyncio

    import aiohttp

    loop = asyncio.get_running_loop()
    interval = args.within.total_seconds() / args.requests
    gate = asyncio.Semaphore(CONCURRENCY)
    tasks: set[asyncio.Task[None]] = set()
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector, timeout=limits) as session:

        async def paced(number: int) -> None:
            try:
                await _one(session, args, number, tally, tls)
            finally:
                gate.release()

        start = loop.time()
        for number in range(1, args.requests + 1):
            delay = start + (number - 1) * interval - loop.time()
            if delay > 0:
                with suppress(TimeoutError):  # wakes early once the limit is proven
                    await asyncio.wait_for(tally.proven.wait(), delay)
            await gate.acquire()
            if tally.proven.is_set():
                gate.release()
                break
            tally.sent += 1
            tasks.add(asyncio.create_task(paced(number)))
        try:
            if tasks:
                await asyncio.wait(tasks)
        finally:  # cancelled from outside: no request outlives its session
            for task in tasks:
                task.cancel()


def _seconds(value: timedelta) -> str:
    return f"{value.total_seconds():g}s"


async def run(args: RateLimitArgs, ctx: Context) -> Finding:
    import asyncio  # imported on use: loading a config with gate items needs neither

    import aiohttp

    tally = _Tally(proven=asyncio.Event())
    try:
        ca_file = str(ctx.loaded.relative(args.ca_file)) if args.ca_file else None
        tls = await tls_option(verify=args.verify_tls, ca_file=ca_file)
    except FetchError as exc:
        return Finding(False, ctx.secrets.redact(str(exc)), {"url": ctx.secrets.redact(args.url)})
    loop = asyncio.get_running_loop()
    started = loop.time()
    await _send_all(args, aiohttp.ClientTimeout(total=ctx.timeout), tally, tls)
    elapsed = loop.time() - started
    redact = ctx.secrets.redact
    evidence: dict[str, Any] = {
        "url": redact(args.url),
        "method": args.method,
        "planned": args.requests,
        "within": _seconds(args.within),
        "sent": tally.sent,
        "statuses": dict(sorted(tally.statuses.items())),
        "errors": {redact(what): n for what, n in tally.errors.items()},
        "first_limited_at": tally.first_limited,
        "proven_at": tally.proven_at,
        "stopped_early": tally.sent < args.requests,
        "limited_headers": tally.limited_headers,
        "headers_seen": sorted(tally.headers_seen, key=str.lower),
        "elapsed_s": round(elapsed, 3),
    }
    return Finding(tally.proven_at is not None, redact(_reason(args, tally)), evidence)


def _reason(args: RateLimitArgs, tally: _Tally) -> str:
    expect, sent = args.expect_status, tally.sent
    if tally.proven_at is not None:
        named = ", ".join(sorted(tally.limited_headers, key=str.lower))
        stop = f"; stopped after {sent} of {args.requests}" if sent < args.requests else ""
        return f"request {tally.proven_at} was answered {expect} with {named}{stop}"
    if tally.first_limited is not None:
        return (
            f"answered {expect} from request {tally.first_limited}, but without Retry-After or a "
            "RateLimit header: clients cannot tell when to retry; add Retry-After to limited answers"
        )
    window = f"{sent} requests in {_seconds(args.within)}"
    if not tally.statuses:
        errors = ", ".join(f"{what} ×{n}" for what, n in tally.errors.most_common(3))
        return f"no answer from {args.url} ({errors})"
    if len(tally.statuses) == 1 and not tally.errors:
        [status] = tally.statuses
        return f"{window} were all answered {status}: no rate limit"
    answers = ", ".join(f"{status} ×{n}" for status, n in sorted(tally.statuses.items()))
    errors = f", {sum(tally.errors.values())} without answer" if tally.errors else ""
    return f"{window} got no {expect} (answers: {answers}{errors}): no rate limit"


BUILTIN = Builtin(
    name="rate_limit",
    args=RateLimitArgs,
    run=run,
    summary="a burst of requests is answered 429 with Retry-After or RateLimit headers",
)
