"""``/api/gate``: the latest verdict with its items and evidence (viewer), sign-offs (admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from golive.exceptions import UsageError
from golive.gate.signoffs import sign
from golive.store.gate import gate_runs, signoffs
from golive.web.api.common import AUTH_ERRORS, BODY_ERRORS, NOT_FOUND, conflict
from golive.web.api.inputs import NOT_BLANK
from golive.web.auth import Admin, RuntimeDep, Viewer


class GateItemOut(BaseModel):
    name: str
    category: str
    required: bool
    ok: bool
    status: str
    reason: str
    evidence: dict[str, Any]
    warnings: list[str] = []
    kind: str = ""


class GateOut(BaseModel):
    verdict: str
    environment: str
    release: str | None = Field(description="The `--release` it was run with, or null.")
    at: datetime
    items: list[GateItemOut]


class SignoffIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"item": "Incident response plan reviewed", "note": ""}]},
    )

    item: str = Field(
        min_length=1,
        pattern=NOT_BLANK,
        description="The manual gate item's name, as in the config.",
    )
    note: str = ""


class SignoffOut(BaseModel):
    item: str
    signed_by: str
    note: str
    signed_at: datetime
    expires_at: datetime
    valid: bool


def get_gate(runtime: RuntimeDep, _: Viewer) -> GateOut:
    """The latest `golive gate` verdict of this environment (404 before the first run)."""
    loaded = runtime.loaded
    runs = gate_runs(runtime.store, loaded.environment, limit=1)
    if not runs:
        raise HTTPException(status_code=404, detail="no gate verdict yet: run `golive gate`")
    run = runs[0]
    items = [GateItemOut(**loaded.secrets.redact_data(item)) for item in run.items]
    return GateOut(
        verdict=run.verdict,
        environment=run.environment,
        release=run.release,
        at=run.at,
        items=items,
    )


def get_signoffs(runtime: RuntimeDep, _: Viewer) -> list[SignoffOut]:
    """Every sign-off of this environment, newest first."""
    now = runtime.clock.now()
    return [_out(view, now) for view in signoffs(runtime.store, runtime.loaded.environment)]


async def add_signoff(runtime: RuntimeDep, principal: Admin, body: SignoffIn) -> SignoffOut:
    """Sign a manual gate item as the token's owner (admin). An unknown or measured item is
    refused (409) with the names that can be signed."""
    now = runtime.clock.now()
    try:
        view = await run_in_threadpool(
            sign,
            runtime.store,
            runtime.loaded,
            body.item,
            by=principal.actor,
            note=body.note,
            now=now,
        )
    except UsageError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return _out(view, now)


def _out(view: Any, now: datetime) -> SignoffOut:
    return SignoffOut(
        item=view.item,
        signed_by=view.signed_by,
        note=view.note,
        signed_at=view.signed_at,
        expires_at=view.expires_at,
        valid=view.valid(now),
    )


def build() -> APIRouter:
    router = APIRouter(prefix="/api/gate", tags=["gate"], responses=AUTH_ERRORS)
    router.add_api_route("", get_gate, methods=["GET"], response_model=GateOut, responses=NOT_FOUND)
    router.add_api_route(
        "/signoffs", get_signoffs, methods=["GET"], response_model=list[SignoffOut]
    )
    router.add_api_route(
        "/signoffs",
        add_signoff,
        methods=["POST"],
        response_model=SignoffOut,
        status_code=201,
        responses={**BODY_ERRORS, **conflict("not a manual item of the configuration")},
    )
    return router
