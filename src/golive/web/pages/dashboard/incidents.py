"""``/incidents`` (open ones, ``?all=true`` for every one) and ``/incidents/{id}`` (the
timeline; operators acknowledge, mitigate, resolve, reopen, add notes and public updates). The
POST handlers check the role themselves (``PageOperator``) and answer a 303 back with a flash."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from golive.exceptions import UsageError
from golive.incidents import lifecycle
from golive.incidents.timeline import read
from golive.records.incidents import PUBLIC_STATUSES
from golive.web.auth import PageOperator, PageUser, get_runtime
from golive.web.pages.dashboard.common import back, form_fields, page

_ACTIONS = {"ack": "acknowledge", "mitigate": "mitigate", "resolve": "resolve", "reopen": "reopen"}


def incidents_page(request: Request, user: PageUser, all: bool = False) -> HTMLResponse:
    """Incidents, newest first."""
    runtime = get_runtime(request)
    found = lifecycle.list_incidents(runtime.store, open_only=not all, limit=500)
    return page(
        request, user, "dashboard/incidents.html", current="/incidents", incidents=found, all=all
    )


def incident_page(request: Request, user: PageUser, incident_id: int) -> Response:
    """One incident, its timeline and what can be done."""
    runtime = get_runtime(request)
    try:
        found = lifecycle.get_incident(runtime.store, incident_id)
    except UsageError as exc:
        return back(request, "/incidents", "error", str(exc))
    return page(
        request,
        user,
        "dashboard/incident.html",
        current="/incidents",
        incident=found,
        timeline=read(runtime.store, incident_id),
        statuses=PUBLIC_STATUSES,
        redact=runtime.loaded.secrets.redact,
    )


async def act_on_incident(
    request: Request, user: PageOperator, incident_id: int, action: str
) -> Response:
    """Acknowledge, mitigate, resolve or reopen (operator)."""
    runtime = get_runtime(request)
    here = f"/incidents/{incident_id}"
    if action not in _ACTIONS:
        return back(request, here, "error", f"Unknown action {action}.")
    fields = await form_fields(request)
    try:
        view = await run_in_threadpool(
            lifecycle.act,
            runtime.store,
            incident_id,
            _ACTIONS[action],
            at=runtime.clock.now(),
            actor=user.actor,
            message=fields.get("message", "")[:2000],
        )
    except UsageError as exc:
        return back(request, here, "error", str(exc))
    return back(request, here, "success", f"Incident #{view.id} is {view.state}.")


async def add_note(request: Request, user: PageOperator, incident_id: int) -> Response:
    """A note on the timeline (operator)."""
    runtime = get_runtime(request)
    here = f"/incidents/{incident_id}"
    fields = await form_fields(request)
    try:
        await run_in_threadpool(
            lifecycle.note,
            runtime.store,
            incident_id,
            fields.get("text", "")[:5000],
            at=runtime.clock.now(),
            actor=user.actor,
        )
    except UsageError as exc:
        return back(request, here, "error", str(exc))
    return back(request, here, "success", "Note added.")


async def add_update(request: Request, user: PageOperator, incident_id: int) -> Response:
    """A public status update (operator); it also publishes the incident."""
    runtime = get_runtime(request)
    here = f"/incidents/{incident_id}"
    fields = await form_fields(request)
    try:
        await run_in_threadpool(
            lifecycle.update_status,
            runtime.store,
            incident_id,
            status=fields.get("status", ""),
            message=fields.get("message", "")[:5000],
            at=runtime.clock.now(),
            actor=user.actor,
            public=True,
        )
    except UsageError as exc:
        return back(request, here, "error", str(exc))
    return back(request, here, "success", "Status page updated.")


def build() -> APIRouter:
    router = APIRouter(tags=["dashboard"], include_in_schema=False)
    router.add_api_route("/incidents", incidents_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/incidents/{incident_id}", incident_page, methods=["GET"])
    router.add_api_route("/incidents/{incident_id}/notes", add_note, methods=["POST"])
    router.add_api_route("/incidents/{incident_id}/updates", add_update, methods=["POST"])
    router.add_api_route("/incidents/{incident_id}/{action}", act_on_incident, methods=["POST"])
    return router
