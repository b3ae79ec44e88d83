"""``POST /api/checks/{name}/results``: another system reports a heartbeat check's run
(Gatus's external endpoints), judged like a ping that ended a run (operator)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from golive.records import Ping
from golive.web.api.common import AUTH_ERRORS, NOT_FOUND, conflict, not_found
from golive.web.auth import Operator, RuntimeDep

MAX_VALUES = 50


class ExternalResult(BaseModel):
    """One run as the reporting system saw it; ``values`` are fields ``expect`` may read."""

    model_config = ConfigDict(extra="forbid")

    ok: bool
    latency_ms: float | None = Field(default=None, ge=0)
    error: str | None = Field(default=None, max_length=1000)
    values: dict[str, Any] = Field(default_factory=dict, max_length=MAX_VALUES)


class Accepted(BaseModel):
    accepted: bool = True


async def post_result(
    runtime: RuntimeDep, _: Operator, name: str, body: ExternalResult
) -> JSONResponse:
    """Record a run of heartbeat check ``name`` (202): it counts as an end ping, so it also
    resets the check's lateness. Any other kind of check is refused (409): golive runs it."""
    loaded = runtime.loaded
    check = next((c for c in loaded.config.checks if c.name == name), None)
    if check is None:
        raise not_found("check", name)
    if not loaded.kinds[check.kind].pushed:
        detail = f"check {name} is a {check.kind} check: golive runs it, results come from it"
        raise HTTPException(status_code=409, detail=detail)
    secrets = loaded.secrets
    ping = Ping(
        name,
        "end",
        runtime.clock.now(),
        ok=body.ok,
        source="api",
        latency_ms=body.latency_ms,
        error=None if body.error is None else secrets.redact(body.error),
        values=secrets.redact_data(body.values),
    )
    await runtime.pings.keep(ping)  # a web replica stores it for the evaluator
    return JSONResponse(Accepted().model_dump(), status_code=202)


def build() -> APIRouter:
    router = APIRouter(prefix="/api/checks", tags=["checks"], responses=AUTH_ERRORS)
    router.add_api_route(
        "/{name}/results",
        post_result,
        methods=["POST"],
        status_code=202,
        response_model=Accepted,
        responses={**NOT_FOUND, **conflict("the check is not a heartbeat check")},
    )
    return router
