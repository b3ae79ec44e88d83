"""``/notifications`` (the outbox by status), ``/gate`` (the latest verdict by category, and a
sign-off form for admins: ``POST /gate/signoff``), ``/maintenance`` (the windows) and
``/sources`` (the metrics sources' health)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from golive.exceptions import UsageError
from golive.gate.signoffs import sign
from golive.store import outbox
from golive.store.gate import gate_runs, signoffs
from golive.store.requests import request_window, sources_now
from golive.web.auth import PageAdmin, PageUser, get_runtime
from golive.web.pages.dashboard.common import back, form_fields, page

PER_STATUS = 50
STATUSES = ("failed", "pending", "sending", "delivered")


def notifications_page(request: Request, user: PageUser) -> HTMLResponse:
    """The newest notifications of each status, with the outbox's counts."""
    runtime = get_runtime(request)
    redact = runtime.loaded.secrets.redact
    groups = {
        status: outbox.list_notifications(runtime.store, status=status, limit=PER_STATUS)
        for status in STATUSES
    }
    return page(
        request,
        user,
        "dashboard/notifications.html",
        current="/notifications",
        groups=groups,
        counts=outbox.counts_by_status(runtime.store),
        redact=redact,
        per_status=PER_STATUS,
    )


def gate_page(request: Request, user: PageUser) -> HTMLResponse:
    """The latest `golive gate` verdict, its items by category, and the sign-offs."""
    runtime = get_runtime(request)
    loaded = runtime.loaded
    runs = gate_runs(runtime.store, loaded.environment, limit=1)
    run = runs[0] if runs else None
    categories: dict[str, list[dict[str, Any]]] = {}
    for item in run.items if run else []:
        shown = loaded.secrets.redact_data(item)
        categories.setdefault(str(shown.get("category", "other")), []).append(shown)
    now = runtime.clock.now()
    return page(
        request,
        user,
        "dashboard/gate.html",
        current="/gate",
        run=run,
        categories=categories,
        manual=[item.name for item in loaded.config.gate if item.manual],
        signed=signoffs(runtime.store, loaded.environment)[:50],
        now=now,
    )


async def add_signoff(request: Request, user: PageAdmin) -> Response:
    """Sign a manual gate item (admin)."""
    runtime = get_runtime(request)
    fields = await form_fields(request)
    try:
        view = await run_in_threadpool(
            sign,
            runtime.store,
            runtime.loaded,
            fields.get("item", ""),
            by=user.actor,
            note=fields.get("note", "")[:2000],
            now=runtime.clock.now(),
        )
    except UsageError as exc:
        return back(request, "/gate", "error", f"Not signed: {exc}")
    return back(request, "/gate", "success", f"Signed {view.item}.")


def maintenance_page(request: Request, user: PageUser) -> HTMLResponse:
    """Every maintenance window, and the checks in one now."""
    runtime = get_runtime(request)
    active: dict[str, list[str]] = {}
    for check, window in sorted(runtime.maintenance().items()):
        active.setdefault(window, []).append(check)
    return page(
        request,
        user,
        "dashboard/maintenance.html",
        current="/maintenance",
        windows=runtime.loaded.config.maintenance,
        active=active,
    )


def sources_page(request: Request, user: PageUser) -> HTMLResponse:
    """Each metrics source's health and its last 5 minutes of requests."""
    runtime = get_runtime(request)
    configured = [(m.name, m.kind) for m in runtime.loaded.config.metrics]
    end = runtime.clock.now().replace(second=0, microsecond=0) + timedelta(minutes=1)
    start = end - timedelta(minutes=5)
    sources = []
    for health in sources_now(runtime.store, configured):
        window = request_window(runtime.store, health.source, start=start, end=end)
        sources.append({"health": health, "window": window, "p95": window.percentile_ms(0.95)})
    return page(
        request,
        user,
        "dashboard/sources.html",
        current="/sources",
        sources=sources,
        redact=runtime.loaded.secrets.redact,
    )


def build() -> APIRouter:
    router = APIRouter(tags=["dashboard"], include_in_schema=False)
    html = HTMLResponse
    router.add_api_route("/notifications", notifications_page, methods=["GET"], response_class=html)
    router.add_api_route("/gate", gate_page, methods=["GET"], response_class=html)
    router.add_api_route("/gate/signoff", add_signoff, methods=["POST"])
    router.add_api_route("/maintenance", maintenance_page, methods=["GET"], response_class=html)
    router.add_api_route("/sources", sources_page, methods=["GET"], response_class=html)
    return router
