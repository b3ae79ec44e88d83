"""``/api/silences``: list (viewer), create and expire (operator), through ``golive.alerts``."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException
from starlette.concurrency import run_in_threadpool

from golive.alerts import create_silence, expire_silence, list_silences
from golive.exceptions import UsageError
from golive.records import SilenceView
from golive.store import alerts as queries
from golive.web.api.common import (
    AUTH_ERRORS,
    BODY_ERRORS,
    NOT_FOUND,
    Limit,
    Offset,
    conflict,
    next_offset,
    not_found,
)
from golive.web.api.inputs import MAX_SILENCE
from golive.web.api.models import Page, SilenceCreate, SilenceOut
from golive.web.auth import Operator, RuntimeDep, Viewer

EXPIRE_CREATED = {
    "operationId": "end_silence",
    "parameters": {"silence_id": "$response.body#/id"},
    "description": "end the silence just created",
}
EXPIRE_LISTED = {
    "operationId": "end_silence",
    "parameters": {"silence_id": "$response.body#/items/0/id"},
    "description": "end the newest silence listed",
}


def get_silences(
    runtime: RuntimeDep,
    _: Viewer,
    expired: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[SilenceOut]:
    """Silences newest first: active and scheduled ones, and with ``expired=true`` all."""
    now = runtime.clock.now()
    found = list_silences(runtime.store, now, include_expired=expired)[::-1]
    shown = found[offset : offset + limit]
    return Page[SilenceOut](
        items=[_silence_out(s, now) for s in shown],
        limit=limit,
        offset=offset,
        next_offset=next_offset(offset, len(shown), offset + len(shown) < len(found)),
    )


async def add_silence(runtime: RuntimeDep, principal: Operator, body: SilenceCreate) -> SilenceOut:
    """Silence the alerts matching every matcher, from ``starts_at`` (default now) until
    ``ends_at`` or for ``duration`` (operator). A matcher naming an unknown check, component
    or alert, or matching no alert at all, is refused (409) with the reason."""
    now = runtime.clock.now()
    matchers = body.matchers
    if body.duration is not None and body.duration > MAX_SILENCE:
        raise HTTPException(status_code=409, detail="a silence lasts at most ten years")
    try:
        created = await run_in_threadpool(
            create_silence,
            runtime.store,
            runtime.loaded,
            check=matchers.check,
            component=matchers.component,
            alert=matchers.alert,
            labels=matchers.labels,
            duration=body.duration,
            ends_at=body.ends_at,
            starts_at=body.starts_at,
            reason=body.reason,
            created_by=principal.actor,
            now=now,
        )
    except UsageError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    except OverflowError:  # starts_at in the year 9999 and a week more
        raise HTTPException(status_code=409, detail="it would end after the year 9999") from None
    return _silence_out(created, now)


async def end_silence(runtime: RuntimeDep, _: Operator, silence_id: int) -> SilenceOut:
    """End a silence now (operator); one already expired or ended is a 409."""
    now = runtime.clock.now()
    if await run_in_threadpool(queries.get_silence, runtime.store, silence_id) is None:
        raise not_found("silence", silence_id)
    try:
        expired = await run_in_threadpool(expire_silence, runtime.store, silence_id, now)
    except UsageError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return _silence_out(expired, now)


def build() -> APIRouter:
    router = APIRouter(prefix="/api/silences", tags=["silences"], responses=AUTH_ERRORS)
    router.add_api_route(
        "",
        get_silences,
        methods=["GET"],
        response_model=Page[SilenceOut],
        responses={200: {"links": {"expire": EXPIRE_LISTED}}},
    )
    router.add_api_route(
        "",
        add_silence,
        methods=["POST"],
        response_model=SilenceOut,
        status_code=201,
        responses={
            **BODY_ERRORS,
            **conflict("refused: an unknown name, no alert matched, no end in the future"),
            201: {"links": {"expire": EXPIRE_CREATED}},
        },
    )
    router.add_api_route(
        "/{silence_id}/expire",
        end_silence,
        methods=["POST"],
        response_model=SilenceOut,
        responses={**NOT_FOUND, **conflict("it has ended already")},
    )
    return router


def _silence_out(silence: SilenceView, now: datetime) -> SilenceOut:
    return SilenceOut(
        id=silence.id,
        matchers=silence.matchers,
        starts_at=silence.starts_at,
        ends_at=silence.ends_at,
        created_by=silence.created_by,
        reason=silence.reason,
        created_at=silence.created_at,
        expired_at=silence.expired_at,
        state=silence.status(now),
    )
