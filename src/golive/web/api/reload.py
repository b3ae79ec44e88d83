"""``/api/reload`` (admin): read the configuration again; a bad one is refused with the reason."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from golive.web.api.common import AUTH_ERRORS
from golive.web.api.models import ReloadOut
from golive.web.auth import Admin, RuntimeDep


async def reload(runtime: RuntimeDep, _: Admin) -> JSONResponse:
    """200 with ``ok: true`` when the new configuration runs; 422 with ``ok: false`` and the
    reason when it was refused (the running configuration stays)."""
    outcome = await runtime.reload()
    body = ReloadOut(ok=outcome.ok, message=runtime.loaded.secrets.redact(outcome.message))
    return JSONResponse(body.model_dump(), status_code=200 if outcome.ok else 422)


def build() -> APIRouter:
    router = APIRouter(prefix="/api/reload", tags=["reload"], responses=AUTH_ERRORS)
    router.add_api_route(
        "",
        reload,
        methods=["POST"],
        response_model=ReloadOut,
        responses={422: {"model": ReloadOut, "description": "the configuration was refused"}},
    )
    return router
