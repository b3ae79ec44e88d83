"""``/dora``: DORA's four measures over the last 30 days with their bands, and the changes
that failed (read from rollout evidence and incidents, as `golive dora` does)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from golive.rollout.dora import measures, read_dora
from golive.web.auth import PageUser, get_runtime
from golive.web.pages.dashboard.common import page

PERIOD = timedelta(days=30)


async def dora_page(request: Request, user: PageUser) -> HTMLResponse:
    """The four measures as a table, then the failed changes, newest last."""
    runtime = get_runtime(request)
    now = runtime.clock.now()
    report = await run_in_threadpool(
        read_dora, runtime.store, since=now - PERIOD, until=now, repo=runtime.loaded.path.parent
    )
    return page(
        request, user, "dashboard/dora.html", current="/dora", report=report, rows=measures(report)
    )


def build() -> APIRouter:
    router = APIRouter(tags=["dashboard"], include_in_schema=False)
    router.add_api_route("/dora", dora_page, methods=["GET"], response_class=HTMLResponse)
    return router
