"""Per-client-IP fixed-window rate limiting for ``/api/*``, kept in memory."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parkwise.middleware import is_api
from parkwise.settings import RateLimit

PRUNE_ABOVE = 1024  # clients tracked before expired windows are swept


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int  # whole seconds until the window resets, at least 1

    def headers(self) -> dict[str, str]:
        values = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_s),
        }
        if not self.allowed:
            values["Retry-After"] = str(self.reset_s)
        return values


class FixedWindowLimiter:
    """Allows ``rule.limit`` requests per client in each window starting at its first request."""

    def __init__(self, rule: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.rule = rule
        self.clock = clock
        self._windows: dict[str, tuple[float, int]] = {}  # client -> (window start, hits)

    def hit(self, client: str) -> Decision:
        now = self.clock()
        window = self.rule.window_seconds
        start, hits = self._windows.get(client, (now, 0))
        if now - start >= window:
            start, hits = now, 0
        allowed = hits < self.rule.limit
        if allowed:
            hits += 1
        self._windows[client] = (start, hits)
        if len(self._windows) > PRUNE_ABOVE:
            self._prune(now)
        reset = max(1, math.ceil(start + window - now))
        return Decision(allowed, self.rule.limit, self.rule.limit - hits, reset)

    def _prune(self, now: float) -> None:
        window = self.rule.window_seconds
        self._windows = {c: w for c, w in self._windows.items() if now - w[0] < window}


class RateLimitMiddleware:
    """Answers 429 with ``Retry-After`` once a client exceeds the limit.

    Every ``/api/*`` answer carries ``RateLimit-Limit``, ``RateLimit-Remaining`` and
    ``RateLimit-Reset``. The client is the TCP peer; proxy headers are not trusted.
    """

    def __init__(self, app: ASGIApp, limiter: FixedWindowLimiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_api(scope):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        decision = self.limiter.hit(client[0] if client else "unknown")
        if not decision.allowed:
            response = JSONResponse(
                {"detail": "rate limit exceeded"}, status_code=429, headers=decision.headers()
            )
            await response(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in decision.headers().items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_wrapper)
