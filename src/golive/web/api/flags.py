"""``/api/flags``: the bulk definitions SDKs fetch (ETag, 304), evaluation, runtime changes
(operator, audited) and their history. Reading and evaluating need a token (viewer): flags can
tell what is about to ship."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.convertors import StringConvertor, register_url_convertor

from golive.exceptions import UsageError
from golive.flags.evaluate import evaluate
from golive.flags.model import Reason
from golive.flags.state import bulk_document, change_flag, current_flags, history
from golive.store.flags import FlagChangeView
from golive.web.api.common import AUTH_ERRORS, BODY_ERRORS, NOT_FOUND, conflict, not_found
from golive.web.auth import Operator, RuntimeDep, Viewer
from golive.web.runtime import Runtime


class ConstraintOut(BaseModel):
    field: str
    operator: str
    values: list[str]
    inverted: bool
    case_insensitive: bool


class FlagOut(BaseModel):
    name: str
    description: str
    enabled: bool
    rollout: float
    roles: list[str]
    environments: list[str]
    constraints: list[ConstraintOut]
    group: str | None


class FlagsOut(BaseModel):
    version: int
    environment: str
    flags: list[FlagOut]


class EvaluateIn(BaseModel):
    flag: str | None = Field(default=None, max_length=200, description="one flag; all when absent")
    context: dict[str, Any] = Field(
        default_factory=dict, description="user_id, roles, environment, …"
    )


class EvaluationOut(BaseModel):
    flag: str
    value: bool
    reason: Reason
    detail: str
    variant: str | None
    error_code: str | None


class EvaluateOut(BaseModel):
    results: list[EvaluationOut]


class FlagChangeIn(BaseModel):
    enabled: bool | None = Field(default=None, strict=True)
    rollout: float | None = Field(
        default=None, ge=0, le=100, strict=True, description="percent of users, 0 to 100"
    )
    reason: str = Field(default="", max_length=500)


class FlagChangeOut(BaseModel):
    flag: str
    at: datetime
    by: str
    reason: str
    before: dict[str, Any]
    after: dict[str, Any]


def document(runtime: Runtime) -> tuple[dict[str, Any], str]:
    definitions = current_flags(runtime.loaded.config.flags, runtime.store)
    body, etag = bulk_document(definitions, environment=runtime.loaded.environment)
    return body, etag


async def get_flags(
    runtime: RuntimeDep, _: Viewer, if_none_match: Annotated[str | None, Header()] = None
) -> Response:
    """Every flag's definition as it is now (config and runtime changes), for SDKs that evaluate
    locally; ``If-None-Match`` with the last ``ETag`` answers 304 when nothing changed."""
    body, etag = await run_in_threadpool(document, runtime)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if if_none_match is not None and etag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers=headers)
    return JSONResponse(body, headers=headers)


async def evaluate_flags(runtime: RuntimeDep, _: Viewer, body: EvaluateIn) -> EvaluateOut:
    """One flag's value (or every flag's) for a context; ``environment`` defaults to golive's."""
    definitions = await run_in_threadpool(current_flags, runtime.loaded.config.flags, runtime.store)
    if body.flag is not None:
        definitions = [d for d in definitions if d.name == body.flag]
        if not definitions:
            raise not_found("flag", body.flag)
    context = {"environment": runtime.loaded.environment, **body.context}
    return EvaluateOut(
        results=[EvaluationOut(**evaluate(d, context).to_json()) for d in definitions]
    )


def _change_out(change: FlagChangeView) -> FlagChangeOut:
    return FlagChangeOut(
        flag=change.flag,
        at=change.at,
        by=change.changed_by,
        reason=change.reason,
        before=change.before,
        after=change.after,
    )


async def patch_flag(
    runtime: RuntimeDep, principal: Operator, name: str, body: FlagChangeIn
) -> FlagChangeOut:
    """Turn a flag on or off and/or set its rollout (operator); kept with who, when, why, before
    and after. An unknown flag is a 404; a rollout outside 0–100 a 422; an empty change a 409."""
    if name not in {f.name for f in runtime.loaded.config.flags}:
        raise not_found("flag", name)
    try:
        change = await run_in_threadpool(
            lambda: change_flag(
                runtime.store,
                runtime.loaded.config.flags,
                name,
                by=principal.actor,
                now=runtime.clock.now(),
                enabled=body.enabled,
                rollout=body.rollout,
                reason=body.reason,
            )
        )
    except UsageError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return _change_out(change)


async def flag_history(runtime: RuntimeDep, _: Viewer, name: str) -> list[FlagChangeOut]:
    """A flag's runtime changes, newest first."""
    try:
        changes = await run_in_threadpool(history, runtime.store, runtime.loaded.config.flags, name)
    except UsageError:
        raise not_found("flag", name) from None
    return [_change_out(c) for c in changes]


class FlagNameConvertor(StringConvertor):
    """A flag's name in a path, never ``evaluate`` (so ``/api/flags/evaluate`` is not also a
    flag's address and answers 405 with ``Allow: POST`` alone)."""

    regex = "(?!evaluate$)[^/]+"


LINKS = {
    "change": {"operationId": "patch_flag", "parameters": {"name": "$response.body#/flags/0/name"}},
    "history": {
        "operationId": "flag_history",
        "parameters": {"name": "$response.body#/flags/0/name"},
    },
}


def build() -> APIRouter:
    register_url_convertor("flag", FlagNameConvertor())  # idempotent: the same one each app
    router = APIRouter(prefix="/api/flags", tags=["flags"], responses=AUTH_ERRORS)
    router.add_api_route(
        "",
        get_flags,
        methods=["GET"],
        response_model=FlagsOut,
        responses={
            200: {"links": LINKS},
            304: {"description": "not modified since the ETag given"},
        },
    )
    router.add_api_route(
        "/evaluate",
        evaluate_flags,
        methods=["POST"],
        response_model=EvaluateOut,
        responses={**BODY_ERRORS, **NOT_FOUND},
    )
    router.add_api_route(
        "/{name:flag}",
        patch_flag,
        methods=["PATCH"],
        response_model=FlagChangeOut,
        responses={
            **BODY_ERRORS,
            **NOT_FOUND,
            **conflict("nothing to change"),
        },
    )
    router.add_api_route(
        "/{name:flag}/history",
        flag_history,
        methods=["GET"],
        response_model=list[FlagChangeOut],
        responses=NOT_FOUND,
    )
    return router
