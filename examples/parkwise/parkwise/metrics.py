"""Prometheus metrics on a private registry, recorded by an outermost ASGI middleware."""

from __future__ import annotations

import json
import logging
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, Info
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 1.0, 2.5, 5.0)
UNMATCHED = "<unmatched>"  # one label for every unknown path keeps cardinality bounded
LABELS = ("route", "method", "status")


class Metrics:
    def __init__(self, version: str) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "http_requests_total", "HTTP requests answered.", LABELS, registry=self.registry
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "Time from request received to response sent.",
            LABELS,
            buckets=BUCKETS,
            registry=self.registry,
        )
        Info("parkwise_build", "ParkWise build.", registry=self.registry).info({"version": version})

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        labels = {"route": route, "method": method, "status": str(status)}
        self.requests.labels(**labels).inc()
        self.duration.labels(**labels).observe(seconds)


def route_template(routes: list[BaseRoute], scope: Scope) -> str:
    """The matching route's template (``/api/facilities/{id}``), never the raw path."""
    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(getattr(route, "path", UNMATCHED))
        if match is Match.PARTIAL and partial is None:  # path matched, method did not
            partial = str(getattr(route, "path", UNMATCHED))
    return partial or UNMATCHED


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
