"""``golive.integrations.metrics``: request histograms by route template over ASGI (a Starlette
app) and WSGI (a werkzeug-routed app behind a real ``wsgiref`` server), scraped from /metrics."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from werkzeug.routing import Map, Rule

from golive.integrations.asgi import MetricsASGI, metrics_route
from golive.integrations.metrics import BUCKETS, RequestMetrics
from golive.integrations.wsgi import (
    Environ,
    MetricsWSGI,
    StartResponse,
    metrics_wsgi,
    werkzeug_routes,
)
from tests.devkit.parkwise import Labels, TestClient, labels

Samples = dict[tuple[str, Labels], float]


def parse(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def item(request: Request) -> JSONResponse:
    if request.path_params["id"] == "0":
        raise RuntimeError("boom")
    return JSONResponse({"id": request.path_params["id"]})


def test_asgi_requests_are_observed_by_route_template() -> None:
    metrics = RequestMetrics()
    app = Starlette(routes=[Route("/items/{id}", item), metrics_route(metrics)])
    app.add_middleware(MetricsASGI, metrics=metrics)
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in ("/items/1", "/items/2", "/nowhere", "/nowhere/else"):
            client.get(path)
        client.post("/items/3")
        assert client.get("/items/0").status_code == 500
        response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    found = parse(response.text)
    assert found["http_request_duration_seconds_count", labels("/items/{id}")] == 2
    assert found["http_requests_total", labels("/items/{id}")] == 2
    assert found["http_requests_total", labels("<unmatched>", status=404)] == 2
    assert found["http_requests_total", labels("/items/{id}", "POST", 405)] == 1
    assert found["http_requests_total", labels("/items/{id}", status=500)] == 1
    buckets = [
        found["http_request_duration_seconds_bucket", labels("/items/{id}", le=str(b))]
        for b in BUCKETS
    ]
    assert buckets == sorted(buckets) and buckets[-1] == 2


def test_two_metrics_never_share_counts() -> None:
    first, second = RequestMetrics(), RequestMetrics()
    first.observe("/a", "GET", 200, 0.01)
    assert ("http_requests_total", labels("/a")) not in parse(second.exposition().decode())


URLS = Map([Rule("/orders/<int:id>", endpoint="order", methods=["GET"])])


def shop(environ: Environ, start_response: StartResponse) -> list[bytes]:
    path = environ["PATH_INFO"]
    if path == "/orders/13":
        raise RuntimeError("unlucky")
    status = "200 OK" if path.startswith("/orders/") else "404 Not Found"
    start_response(status, [("Content-Type", "text/plain")])
    return [b"order"]


@pytest.fixture
def wsgi_shop() -> Iterator[tuple[str, RequestMetrics]]:
    metrics = RequestMetrics()
    app = MetricsWSGI(shop, metrics=metrics, route_of=werkzeug_routes(URLS))
    exposition = metrics_wsgi(metrics)

    def root(environ: Environ, start_response: StartResponse) -> object:
        if environ["PATH_INFO"] == "/metrics":
            return exposition(environ, start_response)
        return app(environ, start_response)

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def log_exception(self, *args: object) -> None:
            pass

    server = make_server("127.0.0.1", 0, root, handler_class=Quiet)  # type: ignore[arg-type]
    server.handle_error = lambda *args: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", metrics
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_wsgi_requests_are_observed_by_route_template(
    wsgi_shop: tuple[str, RequestMetrics],
) -> None:
    url, _ = wsgi_shop
    for path in ("/orders/1", "/orders/2", "/basket"):
        httpx.get(url + path)
    httpx.post(url + "/orders/5")
    assert httpx.get(url + "/orders/13").status_code == 500
    found = parse(httpx.get(url + "/metrics").text)
    assert found["http_requests_total", labels("/orders/<int:id>")] == 2
    assert found["http_request_duration_seconds_count", labels("/orders/<int:id>")] == 2
    assert found["http_requests_total", labels("<unmatched>", status=404)] == 1
    assert found["http_requests_total", labels("/orders/<int:id>", "POST")] == 1
    assert found["http_requests_total", labels("/orders/<int:id>", status=500)] == 1
