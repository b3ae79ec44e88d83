"""Prometheus metrics on a private registry, recorded by an outermost ASGI middleware.

The request metrics and route templates are golive's integration; this middleware adds what
ParkWise wants besides: an unhandled error becomes a counted JSON 500 that still passes through
the security headers."""

from __future__ import annotations

import json
import logging
import time

from prometheus_client import Info
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from golive.integrations.asgi import route_template
from golive.integrations.metrics import RequestMetrics

log = logging.getLogger(__name__)


class Metrics:
    """golive's request metrics (``golive.integrations.metrics``) and the build info."""

    def __init__(self, version: str) -> None:
        self.request_metrics = RequestMetrics()
        self.registry = self.request_metrics.registry
        Info("parkwise_build", "ParkWise build.", registry=self.registry).info({"version": version})

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.request_metrics.observe(route, method, status, seconds)


class MetricsMiddleware:
    """Measures every HTTP request, including injected faults and rate-limited ones.

    It also turns an unhandled exception into a JSON 500 itself, so that answer
    is counted and still passes through the security-headers middleware.
    """

    def __init__(
        self, app: ASGIApp, metrics: Metrics, routes: list[BaseRoute], debug: bool
    ) -> None:
        self.app, self.metrics, self.routes, self.debug = app, metrics, routes, debug

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status, response_started = int(message["status"]), True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            status = 500
            if response_started:
                raise
            await _send_500(send, exc if self.debug else None)
        finally:
            route = route_template(self.routes, scope)
            elapsed = time.perf_counter() - started
            self.metrics.observe(route, scope["method"], status, elapsed)


async def _send_500(send: Send, exc: Exception | None) -> None:
    detail = f"{type(exc).__name__}: {exc}" if exc else "internal server error"
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": body})
