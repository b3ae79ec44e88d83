"""Security headers and fault injection (extra latency, injected 500s) as ASGI middleware."""

from __future__ import annotations

import asyncio
import random

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def is_api(scope: Scope) -> bool:
    path = str(scope.get("path", ""))
    return path == "/api" or path.startswith("/api/")


class SecurityHeadersMiddleware:
    """Sets the strict headers on every HTTP response, replacing any set by a route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_wrapper)


class FaultInjectionMiddleware:
    """Delays every ``/api/*`` request and answers a fraction of them with 500."""

    def __init__(
        self,
        app: ASGIApp,
        error_rate: float,
        latency_ms: float,
        seed: int | None,
        latency_mix: tuple[tuple[float, float], ...] = (),
    ) -> None:
        self.app = app
        self.error_rate = error_rate
        self.latency_s = latency_ms / 1000
        self.rng = random.Random(seed)
        self.mix_s = [ms / 1000 for ms, _ in latency_mix]
        self.mix_weights = [share for _, share in latency_mix]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_api(scope):
            delay = self.latency_s
            if self.mix_s:  # a latency distribution, to check what a load test reports
                delay += self.rng.choices(self.mix_s, self.mix_weights)[0]
            if delay > 0:
                await asyncio.sleep(delay)
            if self.error_rate > 0 and self.rng.random() < self.error_rate:
                response = JSONResponse(
                    {"detail": "injected error"},
                    status_code=500,
                    headers={"X-Parkwise-Fault": "injected-error"},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
