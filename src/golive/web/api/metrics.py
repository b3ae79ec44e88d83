"""``/api/metrics``: each metrics source's health, and one source's request stats over a window."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from golive.records import SourceHealth
from golive.store.requests import request_window, sources_now
from golive.web.api.common import AUTH_ERRORS, NOT_FOUND, not_found, redacted
from golive.web.auth import RuntimeDep, Viewer
from golive.web.runtime import Runtime


class SourceOut(BaseModel):
    source: str
    kind: str
    ok: bool
    last_ok_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    lines: int
    bad_lines: int
    series: int
    scrapes: int
    failed_scrapes: int
    lag_seconds: float | None
    updated_at: datetime | None


class SourcesOut(BaseModel):
    sources: list[SourceOut]


class WindowOut(BaseModel):
    start: datetime
    end: datetime
    where: dict[str, str]
    count: int
    errors: int
    stats: dict[str, float]


class SourceDetail(BaseModel):
    health: SourceOut
    window: WindowOut


def _out(runtime: Runtime, health: SourceHealth) -> SourceOut:
    data: dict[str, Any] = {k: getattr(health, k) for k in SourceOut.model_fields}
    data["last_error"] = redacted(runtime, health.last_error)
    return SourceOut(**data)


def _sources(runtime: Runtime) -> list[SourceHealth]:
    configured = [(m.name, m.kind) for m in runtime.loaded.config.metrics]
    return sources_now(runtime.store, configured)


async def list_sources(runtime: RuntimeDep, _: Viewer) -> SourcesOut:
    """Every configured metrics source with its health: the last read, its error, what was read."""
    found = await run_in_threadpool(_sources, runtime)
    return SourcesOut(sources=[_out(runtime, h) for h in found])


async def get_source(
    runtime: RuntimeDep,
    _: Viewer,
    name: str,
    minutes: Annotated[int, Query(ge=1, le=60 * 24 * 31, description="window length")] = 5,
    where: Annotated[
        list[str] | None, Query(max_length=10, description="label=value; each must hold")
    ] = None,
) -> SourceDetail:
    """One source's health and its request stats over the last ``minutes`` (the current,
    partial minute included), optionally only the label sets matching ``where``."""
    healths = {h.source: h for h in await run_in_threadpool(_sources, runtime)}
    if name not in healths:
        raise not_found("metrics source", name)
    labels: dict[str, str] = {}
    for text in where or ():
        key, sep, value = text.partition("=")
        if not sep or not key:
            raise HTTPException(
                status_code=422, detail=f"where: expected label=value, got {text!r}"
            )
        labels[key] = value
    now = runtime.clock.now()
    end = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = end - timedelta(minutes=minutes)
    window = await run_in_threadpool(
        lambda: request_window(runtime.store, name, start=start, end=end, where=labels)
    )
    return SourceDetail(
        health=_out(runtime, healths[name]),
        window=WindowOut(
            start=start,
            end=end,
            where=labels,
            count=window.count,
            errors=window.errors,
            stats=window.stats(),
        ),
    )


def build() -> APIRouter:
    router = APIRouter(prefix="/api/metrics", tags=["metrics"], responses=AUTH_ERRORS)
    router.add_api_route("", list_sources, methods=["GET"], response_model=SourcesOut)
    router.add_api_route(
        "/{name}", get_source, methods=["GET"], response_model=SourceDetail, responses=NOT_FOUND
    )
    return router
