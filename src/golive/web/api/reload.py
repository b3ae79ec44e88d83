"""``/api/reload`` (admin): read the configuration again; a bad one is refused with the reason."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from golive.web.api.common import AUTH_ERRORS, conflict
from golive.web.api.models import ReloadOut
from golive.web.auth import Admin, RuntimeDep


async def reload(runtime: RuntimeDep, _: Admin) -> ReloadOut:
    """200 with ``ok: true`` when the new configuration runs; 409 with the reason when it was
    refused (the running configuration stays)."""
    outcome = await runtime.reload()
    message = runtime.loaded.secrets.redact(outcome.message)
    if not outcome.ok:
        raise HTTPException(status_code=409, detail=message)
    return ReloadOut(ok=True, message=message)


def build() -> APIRouter:
    router = APIRouter(prefix="/api/reload", tags=["reload"], responses=AUTH_ERRORS)
    router.add_api_route(
        "",
        reload,
        methods=["POST"],
        response_model=ReloadOut,
        responses=conflict("the configuration was refused; the running one stays"),
    )
    return router
