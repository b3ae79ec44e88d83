"""ASGI (Starlette, FastAPI): the health endpoint, the metrics middleware and ``/metrics``.

    app.router.routes += [health_route(health), metrics_route(request_metrics)]  # or Starlette(routes=[...])
    app.add_middleware(MetricsASGI, metrics=request_metrics)                     # FastAPI / Starlette

The middleware finds the route template among the routes of the app that received the request
(``scope["app"]``, which Starlette sets), or among ``routes`` when given.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any

from golive.integrations.health import Health
from golive.integrations.metrics import CONTENT_TYPE, UNMATCHED, RequestMetrics

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _answer(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class HealthASGI:
    """An ASGI app answering every request with the health report (checked in a thread: the
    components' clients block)."""

    def __init__(self, health: Health) -> None:
        self.health = health

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        status, body = await asyncio.to_thread(self.health.report)
        await _answer(send, status, json.dumps(body).encode(), dict(self.health.headers))


class MetricsEndpoint:
    """An ASGI app answering with the metrics' exposition (a class, not a function: Starlette
    would take a function for a request handler)."""

    def __init__(self, metrics: RequestMetrics) -> None:
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _answer(send, 200, self.metrics.exposition(), {"content-type": CONTENT_TYPE})


def metrics_asgi(metrics: RequestMetrics) -> MetricsEndpoint:
    """The ``/metrics`` app of ``metrics``."""
    return MetricsEndpoint(metrics)


def health_route(health: Health, path: str = "/health") -> Any:
    """A Starlette ``Route`` (FastAPI's router takes it too) serving ``HealthASGI(health)``."""
    from starlette.routing import Route

    return Route(path, HealthASGI(health), methods=["GET", "HEAD"])


def metrics_route(metrics: RequestMetrics, path: str = "/metrics") -> Any:
    """A Starlette ``Route`` serving ``metrics``' exposition."""
    from starlette.routing import Route

    return Route(path, MetricsEndpoint(metrics), methods=["GET"])


def route_template(routes: Sequence[Any], scope: Scope) -> str:
    """The matching route's template (``/items/{id}``), never the raw path; a route whose path
    matched but not its method still names the request."""
    from starlette.routing import Match

    partial = None
    for route in routes:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return str(getattr(route, "path", UNMATCHED))
        if match is Match.PARTIAL and partial is None:
            partial = str(getattr(route, "path", UNMATCHED))
    return partial or UNMATCHED


class MetricsASGI:
    """Middleware: every HTTP request observed once, an unhandled error as status 500."""

    def __init__(
        self, app: App, *, metrics: RequestMetrics, routes: Sequence[Any] | None = None
    ) -> None:
        self.app, self.metrics, self.routes = app, metrics, routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            routes = self.routes
            if routes is None:
                routes = getattr(scope.get("app"), "routes", ())
            route = route_template(routes, scope)
            self.metrics.observe(route, scope["method"], status, time.perf_counter() - started)
