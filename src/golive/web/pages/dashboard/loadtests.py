"""``/loadtests``: the newest run of each configured load test, its SLA table and latency
distribution (read from the evidence `golive loadtest` keeps)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from golive.web.auth import PageUser, get_runtime
from golive.web.pages.dashboard.common import page


def loadtests_page(request: Request, user: PageUser) -> HTMLResponse:
    """One section per load test of the config: its newest run, or how to make one."""
    runtime = get_runtime(request)
    loaded = runtime.loaded
    runs: list[dict[str, Any]] = []
    for test in loaded.config.loadtests:
        record = runtime.store.latest("loadtest", test.name)
        runs.append(
            {
                "name": test.name,
                "at": record.taken_at if record else None,
                "report": loaded.secrets.redact_data(record.values) if record else None,
            }
        )
    return page(request, user, "dashboard/loadtests.html", current="/loadtests", runs=runs)


def build() -> APIRouter:
    router = APIRouter(tags=["dashboard"], include_in_schema=False)
    router.add_api_route("/loadtests", loadtests_page, methods=["GET"], response_class=HTMLResponse)
    return router
