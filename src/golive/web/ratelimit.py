"""Rate limits per token, signed-in user and client IP; the budgets' counts behind ``Budgets``.

Fixed windows, each starting at its key's first request:
- a request without credentials counts against its client IP (``anonymous``);
- a request with a valid token, or from a signed-in browser, counts against that token or user
  (``token``);
- a request with an invalid token counts against its IP's failed-auth budget (``failed_auth``);
  once that is spent, every request *with credentials* from that IP is refused (429) until the
  window ends, valid token or not, so tokens cannot be guessed faster than the budget allows.
Answers carry ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` (seconds);
a refusal is ``429`` with ``Retry-After``. The client IP is the TCP peer as the ASGI server
reports it. Who the request is comes from ``golive.web.credentials``, which runs before.

The counts live in a ``Budgets``: ``MemoryBudgets`` (per process, on the runtime's clock) by
default; replicas that must share their budgets pass one kept in Redis or the store.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from golive.clock import Clock
from golive.web.auth import AUTH_STATE
from golive.web.errors import error_response


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


class Budgets(Protocol):
    """Where the windows' counts live. ``key`` names whose budget (``ip:...``, ``token:3``);
    each ``rule`` has its own windows."""

    async def hit(self, key: str, rule: Rule) -> Decision:
        """Count a request of ``key`` if ``rule`` allows it, and say so."""
        ...

    async def peek(self, key: str, rule: Rule) -> Decision:
        """Whether ``key`` may make one more request under ``rule``, without counting one."""
        ...


class RateLimiter:
    """Fixed windows of one rule per key, in memory; pure and clock-driven.

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


class MemoryBudgets:
    """``Budgets`` in this process's memory: one ``RateLimiter`` per rule (a restart forgets
    them; several replicas would each keep their own)."""

    def __init__(self, clock: Clock, *, max_keys: int = 10_000) -> None:
        self.clock = clock
        self.max_keys = max_keys
        self._limiters: dict[Rule, RateLimiter] = {}

    def limiter(self, rule: Rule) -> RateLimiter:
        limiter = self._limiters.get(rule)
        if limiter is None:
            limiter = self._limiters[rule] = RateLimiter(
                rule, clock=self.clock, max_keys=self.max_keys
            )
        return limiter

    async def hit(self, key: str, rule: Rule) -> Decision:
        return self.limiter(rule).hit(key)

    async def peek(self, key: str, rule: Rule) -> Decision:
        return self.limiter(rule).peek(key)


class Identity(Protocol):
    """Who a valid credential belongs to; ``rate_key`` names its budget."""

    @property
    def rate_key(self) -> str: ...


class RateLimitMiddleware:
    """Applies ``RateLimits`` to the identity ``golive.web.credentials`` left in
    ``scope["state"][AUTH_STATE]`` (None there: the credentials sent were not valid)."""

    def __init__(self, app: ASGIApp, *, limits: RateLimits, budgets: Budgets) -> None:
        self.app = app
        self.limits = limits
        self.exempt: Collection[str] = limits.exempt
        self.exempt_prefixes = limits.exempt_prefixes
        self.budgets = budgets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        credentials = "authorization" in Headers(scope=scope)
        # with a token, a public page is authenticated (and counted) as usual
        public_page = path.startswith(self.exempt_prefixes) and not credentials
        if path in self.exempt or public_page:
            await self.app(scope, receive, send)
            return
        decision = await self._decide(scope, credentials)
        if not decision.allowed:
            refusal = error_response(429, "rate limit exceeded", headers=decision.headers())
            await refusal(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(decision.headers())
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _decide(self, scope: Scope, credentials: bool) -> Decision:
        client = scope.get("client")
        ip = str(client[0]) if client else "unknown"
        state: dict[str, Any] = scope.get("state") or {}
        identity: Identity | None = state.get(AUTH_STATE)
        limits, budgets = self.limits, self.budgets
        if credentials:
            decision = await budgets.peek(f"failed:{ip}", limits.failed_auth)
            if not decision.allowed:
                return decision  # valid or not: no more tries from there for now
            if identity is None:
                return await budgets.hit(f"failed:{ip}", limits.failed_auth)
        if identity is not None:
            return await budgets.hit(identity.rate_key, limits.token)
        return await budgets.hit(f"ip:{ip}", limits.anonymous)
