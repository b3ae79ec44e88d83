"""Security headers on every response, and rate limits per token and per client IP.

Both are plain ASGI middleware so that they also cover 404s, 422s, 429s and errors.

Headers: every response carries a strict Content-Security-Policy, ``nosniff``, ``DENY`` framing
and ``no-referrer``; ``Cache-Control: no-store`` unless the route set its own; HSTS when the
request came over HTTPS (behind a proxy, the server must be told to trust its forwarded scheme).
A route may send its own ``Content-Security-Policy`` or ``Cache-Control`` (pages will relax the
policy per route); the other headers are always replaced.

Rate limits (fixed windows, in memory, per process):
- a request without ``Authorization`` counts against its client IP (``anonymous``);
- a request with a valid token counts against that token (``token``);
- a request with an invalid token counts against its IP's failed-auth budget (``failed_auth``);
  once that is spent, every request *with credentials* from that IP is refused (429) until the
  window ends, valid token or not, so tokens cannot be guessed faster than the budget allows.
Answers carry ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds);
a refusal is ``429`` with ``Retry-After``. The client IP is the TCP peer as the ASGI server
reports it.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Protocol

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from golive.clock import Clock
from golive.exceptions import StoreError

CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
HSTS = "max-age=63072000; includeSubDomains"
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
DEFAULTS = {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}
AUTH_STATE = "golive.auth"  # scope["state"] key: the Identity of a request with credentials


class SecurityHeadersMiddleware:
    """Adds the security headers; answers an unhandled error with a JSON 500 that has them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers.update(ALWAYS)
                for name, value in DEFAULTS.items():
                    if name not in headers:
                        headers[name] = value
                if https:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                error = JSONResponse({"detail": "internal server error"}, status_code=500)
                await error(scope, receive, send_with_headers)
            raise  # the server logs it; the client already has its answer


@dataclass(frozen=True)
class Rule:
    """At most ``limit`` requests per ``window_s`` seconds."""

    limit: int
    window_s: float = 60.0

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window_s <= 0:
            raise ValueError("a rate limit needs limit >= 1 and a positive window")


@dataclass(frozen=True)
class RateLimits:
    """The budgets: per token, per IP without credentials, failed auth per IP."""

    token: Rule = Rule(600)
    anonymous: Rule = Rule(60)
    failed_auth: Rule = Rule(10)
    exempt: frozenset[str] = field(default_factory=lambda: frozenset({"/healthz"}))
    # Public, cached, read-only pages: a status page is read by many people behind one address
    # during an outage, exactly when it matters. Prefixes.
    exempt_prefixes: tuple[str, ...] = ("/static/", "/status", "/badge/")


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int  # whole seconds until the window ends, at least 1

    def headers(self) -> dict[str, str]:
        values = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_s),
        }
        if not self.allowed:
            values["Retry-After"] = str(self.reset_s)
        return values


class RateLimiter:
    """Fixed windows per key, each starting at the key's first request; pure and clock-driven.

    Expired windows are swept once more than ``max_keys`` keys are tracked; if that is not
    enough, the oldest windows are dropped (their keys start afresh).
    """

    def __init__(self, rule: Rule, *, clock: Clock, max_keys: int = 10_000) -> None:
        self.rule = rule
        self.clock = clock
        self.max_keys = max_keys
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (window start, hits)

    def hit(self, key: str) -> Decision:
        """Count a request of ``key`` if its budget allows it, and say so."""
        now = self.clock.monotonic()
        start, hits = self._current(key, now)
        allowed = hits < self.rule.limit
        if allowed:
            hits += 1
        self._windows[key] = (start, hits)
        if len(self._windows) > self.max_keys:
            self._sweep(now)
        return self._decision(allowed, start, hits, now)

    def peek(self, key: str) -> Decision:
        """Whether ``key`` may make one more request, without counting one."""
        now = self.clock.monotonic()
        start, hits = self._current(key, now)
        return self._decision(hits < self.rule.limit, start, hits, now)

    def _current(self, key: str, now: float) -> tuple[float, int]:
        start, hits = self._windows.get(key, (now, 0))
        if now - start >= self.rule.window_s:
            return now, 0
        return start, hits

    def _decision(self, allowed: bool, start: float, hits: int, now: float) -> Decision:
        reset = max(1, math.ceil(start + self.rule.window_s - now))
        return Decision(allowed, self.rule.limit, max(0, self.rule.limit - hits), reset)

    def _sweep(self, now: float) -> None:
        window = self.rule.window_s
        self._windows = {k: w for k, w in self._windows.items() if now - w[0] < window}
        excess = len(self._windows) - self.max_keys
        if excess > 0:
            for key in list(self._windows)[:excess]:
                del self._windows[key]


class Identity(Protocol):
    """Who a valid credential belongs to; ``rate_key`` names its budget."""

    @property
    def rate_key(self) -> str: ...


Authenticate = Callable[[str], Awaitable[Identity | None]]


class RateLimitMiddleware:
    """Applies ``RateLimits``; authenticates credentials once, leaving the ``Identity`` (or
    None for invalid credentials) in ``scope["state"][AUTH_STATE]`` for the routes."""

    def __init__(
        self, app: ASGIApp, *, limits: RateLimits, clock: Clock, authenticate: Authenticate
    ) -> None:
        self.app = app
        self.exempt: Collection[str] = limits.exempt
        self.exempt_prefixes = limits.exempt_prefixes
        self.authenticate = authenticate
        self.token = RateLimiter(limits.token, clock=clock)
        self.anonymous = RateLimiter(limits.anonymous, clock=clock)
        self.failed_auth = RateLimiter(limits.failed_auth, clock=clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        public_page = path.startswith(self.exempt_prefixes) and not Headers(scope=scope).get(
            "authorization"
        )  # with a token it is authenticated (and counted) as usual
        if scope["type"] != "http" or path in self.exempt or public_page:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        ip = str(client[0]) if client else "unknown"
        credentials = Headers(scope=scope).get("authorization")
        signed_in = scope.get("state", {}).get(AUTH_STATE)  # a session, read further out
        if credentials is None and signed_in is not None:
            decision = self.token.hit(signed_in.rate_key)
        elif credentials is None:
            decision = self.anonymous.hit(ip)
        else:
            decision = self.failed_auth.peek(ip)
            if decision.allowed:
                try:
                    identity = await self.authenticate(credentials)
                except StoreError:
                    unavailable = JSONResponse({"detail": "store unavailable"}, status_code=503)
                    await unavailable(scope, receive, send)
                    return
                scope.setdefault("state", {})[AUTH_STATE] = identity
                if identity is None:
                    decision = self.failed_auth.hit(ip)
                else:
                    decision = self.token.hit(identity.rate_key)
        if not decision.allowed:
            refusal = JSONResponse(
                {"detail": "rate limit exceeded"}, status_code=429, headers=decision.headers()
            )
            await refusal(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(decision.headers())
            await send(message)

        await self.app(scope, receive, send_with_headers)
