"""``/alerts`` (firing and pending; operators acknowledge) and ``/silences`` (list; operators
create and expire). The POST handlers check the role themselves (``PageOperator``), whatever
the page showed, and answer a 303 back with a flash message."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from golive.alerts import acknowledge, create_silence, expire_silence, list_silences
from golive.exceptions import UsageError
from golive.store import alerts as queries
from golive.web.auth import PageOperator, PageUser, get_runtime
from golive.web.pages.dashboard.check import DURATIONS
from golive.web.pages.dashboard.common import back, form_fields, page

ALERTS_SHOWN = 500
MAX_LISTED = 500  # check names offered as suggestions in the silence form; beyond, typed only


def alerts_page(request: Request, user: PageUser) -> HTMLResponse:
    """Firing and pending alerts, most recently changed first."""
    runtime = get_runtime(request)
    found = queries.list_alerts(runtime.store, state=["firing", "pending"], limit=ALERTS_SHOWN)
    secrets = runtime.loaded.secrets
    return page(
        request,
        user,
        "dashboard/alerts.html",
        current="/alerts",
        firing=[a for a in found if a.state == "firing"],
        pending=[a for a in found if a.state == "pending"],
        redact=secrets.redact,
        limit=ALERTS_SHOWN,
    )


async def ack_alert(request: Request, user: PageOperator, fingerprint: str) -> Response:
    """Acknowledge an active alert (operator)."""
    runtime = get_runtime(request)
    try:
        alert = await run_in_threadpool(
            acknowledge, runtime.store, fingerprint, by=user.actor, now=runtime.clock.now()
        )
    except UsageError as exc:
        return back(request, "/alerts", "error", f"Not acknowledged: {exc}")
    return back(request, "/alerts", "success", f"Acknowledged {alert.name}.")


def silences_page(
    request: Request,
    user: PageUser,
    expired: bool = False,
    check: Annotated[str | None, Query(max_length=200)] = None,
    component: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    """Active and scheduled silences (``expired=true`` adds the ended ones), newest first;
    ``check`` or ``component`` preselect the new silence's target (the alerts' "Silence…")."""
    runtime = get_runtime(request)
    now = runtime.clock.now()
    found = list_silences(runtime.store, now, include_expired=expired)[::-1]
    config = runtime.loaded.config
    return page(
        request,
        user,
        "dashboard/silences.html",
        current="/silences",
        silences=[(s, s.status(now)) for s in found],
        expired=expired,
        durations=list(DURATIONS),
        check_names=[c.name for c in config.checks] if len(config.checks) <= MAX_LISTED else [],
        components=sorted({c.component for c in config.checks if c.component}),
        chosen={"check": check, "component": component},
    )


async def add_silence(request: Request, user: PageOperator) -> Response:
    """Create a silence of a check or a component (operator)."""
    runtime = get_runtime(request)
    fields = await form_fields(request)
    duration = DURATIONS.get(fields.get("duration", ""))
    check = fields.get("check") or None
    component = fields.get("component") or None
    if duration is None:
        return back(request, "/silences", "error", "Choose how long the silence lasts.")
    try:
        created = await run_in_threadpool(
            create_silence,
            runtime.store,
            runtime.loaded,
            check=check,
            component=component,
            duration=duration,
            reason=fields.get("reason", "")[:2000],
            created_by=user.actor,
            now=runtime.clock.now(),
        )
    except UsageError as exc:
        return back(request, "/silences", "error", f"Not silenced: {exc}")
    return back(request, "/silences", "success", f"Created silence {created.id}.")


async def end_silence(request: Request, user: PageOperator, silence_id: int) -> Response:
    """End a silence now (operator)."""
    runtime = get_runtime(request)
    try:
        await run_in_threadpool(expire_silence, runtime.store, silence_id, runtime.clock.now())
    except UsageError as exc:
        return back(request, "/silences", "error", str(exc))
    return back(request, "/silences", "success", f"Silence {silence_id} has ended.")


def build() -> APIRouter:
    router = APIRouter(tags=["dashboard"], include_in_schema=False)
    router.add_api_route("/alerts", alerts_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/alerts/{fingerprint}/ack", ack_alert, methods=["POST"])
    router.add_api_route("/silences", silences_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/silences", add_silence, methods=["POST"])
    router.add_api_route("/silences/{silence_id}/expire", end_silence, methods=["POST"])
    return router
