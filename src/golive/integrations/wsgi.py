"""WSGI (Flask, any WSGI app): the health endpoint, the metrics middleware and ``/metrics``.

    app.wsgi_app = with_health(app.wsgi_app, health)                     # Flask: GET /health
    app.wsgi_app = MetricsWSGI(app.wsgi_app, metrics=m, route_of=werkzeug_routes(app.url_map))

``route_of(environ)`` names the route template of a request (``werkzeug_routes`` does it from a
Flask or werkzeug ``url_map``); without one every request is labelled ``<unmatched>`` rather
than by its raw path.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from golive.integrations.health import Health
from golive.integrations.metrics import CONTENT_TYPE, UNMATCHED, RequestMetrics

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]
RouteOf = Callable[[Environ], str | None]

_REASONS = {200: "200 OK", 503: "503 Service Unavailable"}


class HealthWSGI:
    """A WSGI app answering every request with the health report."""

    def __init__(self, health: Health) -> None:
        self.health = health

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        status, body = self.health.report()
        data = json.dumps(body).encode()
        headers = [*self.health.headers.items(), ("Content-Length", str(len(data)))]
        start_response(_REASONS.get(status, f"{status} Unknown"), headers)
        return [data]


def with_health(app: WSGIApp, health: Health, *, path: str = "/health") -> WSGIApp:
    """``app`` with ``GET path`` answered by the health report."""
    endpoint = HealthWSGI(health)

    def wrapped(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == path:
            return endpoint(environ, start_response)
        return app(environ, start_response)

    return wrapped


def metrics_wsgi(metrics: RequestMetrics) -> WSGIApp:
    """A WSGI app answering with the metrics' exposition."""

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        data = metrics.exposition()
        start_response(
            "200 OK", [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(data)))]
        )
        return [data]

    return app


def werkzeug_routes(url_map: Any) -> RouteOf:
    """``route_of`` for a werkzeug ``Map`` (a Flask app's ``url_map``): the rule's template."""
    from werkzeug.exceptions import HTTPException, MethodNotAllowed

    def route_of(environ: Environ) -> str | None:
        adapter = url_map.bind_to_environ(environ)
        try:
            rule, _ = adapter.match(return_rule=True)
        except MethodNotAllowed as exc:  # the path matched, not its method: name that route
            methods = list(exc.valid_methods or ())
            if not methods:
                return None
            rule, _ = adapter.match(method=methods[0], return_rule=True)
        except HTTPException:
            return None
        return str(rule.rule)

    return route_of


class MetricsWSGI:
    """Middleware: every request observed once, when its body has been sent (or failed)."""

    def __init__(
        self, app: WSGIApp, *, metrics: RequestMetrics, route_of: RouteOf | None = None
    ) -> None:
        self.app, self.metrics, self.route_of = app, metrics, route_of

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status = [500]

        def starting(line: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            status[0] = int(line.split(" ", 1)[0])
            return start_response(line, headers, *exc)

        route = (self.route_of(environ) if self.route_of else None) or UNMATCHED
        method = str(environ.get("REQUEST_METHOD", "GET"))
        try:
            body = self.app(environ, starting)
        except Exception:
            self.metrics.observe(route, method, 500, time.perf_counter() - started)
            raise
        return self._observed(body, route, method, status, started)

    def _observed(
        self, body: Iterable[bytes], route: str, method: str, status: list[int], started: float
    ) -> Iterator[bytes]:
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            self.metrics.observe(route, method, status[0], time.perf_counter() - started)
