"""Routes outside ``/api/``: ``/healthz`` (public), ``/metrics`` (viewer), and the OpenAPI
document at ``/api/openapi.json`` (viewer)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from golive.exceptions import StoreError
from golive.store import history
from golive.web.api.common import AUTH_ERRORS
from golive.web.api.models import Health
from golive.web.auth import RuntimeDep, Viewer


def healthz(runtime: RuntimeDep) -> JSONResponse:
    """200 ``{"status": "ok"}`` while the store answers and takes writes, else 503: ``failing``
    while the runtime's last writes failed (a full disk, a read-only store), ``unavailable``
    when it does not answer at all. Public (no token), so it says since when, never the
    error's text: that is in golive's log."""
    failure = runtime.store_writes.failure
    if failure is not None:
        since, _why = failure
        reason = f"writes to the store fail since {since.isoformat()} (golive's log says why)"
        answer = Health(status="failing", reason=reason)
        return JSONResponse(answer.model_dump(exclude_none=True), status_code=503)
    try:
        history.ping(runtime.store)
    except StoreError:
        return JSONResponse(Health(status="unavailable").model_dump(exclude_none=True), 503)
    return JSONResponse(Health(status="ok").model_dump(exclude_none=True))


def metrics(runtime: RuntimeDep, _: Viewer) -> Response:
    """golive's own metrics in the Prometheus text format. Needs a viewer token: configure
    the scraper with ``authorization: {credentials: <token>}`` (Prometheus' bearer auth)."""
    return Response(generate_latest(runtime.metrics_registry), media_type=CONTENT_TYPE_LATEST)


def openapi(request: Request, _: Viewer) -> dict[str, Any]:
    """The OpenAPI document of this API."""
    return request.app.openapi()  # type: ignore[no-any-return]


def build() -> APIRouter:
    router = APIRouter(tags=["system"])
    router.add_api_route(
        "/healthz",
        healthz,
        methods=["GET"],
        response_model=Health,
        responses={503: {"model": Health, "description": "the store fails writes or answers not"}},
    )
    router.add_api_route(
        "/metrics",
        metrics,
        methods=["GET"],
        response_class=Response,
        responses={
            **AUTH_ERRORS,
            200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "exposition format"},
        },
    )
    router.add_api_route("/api/openapi.json", openapi, methods=["GET"], include_in_schema=False)
    return router
