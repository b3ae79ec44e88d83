"""``/api/incidents``: list, one with its timeline, open, act (operator), notes, status
updates, and the measures."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field, StrictBool
from starlette.concurrency import run_in_threadpool

from golive.exceptions import UsageError
from golive.incidents import lifecycle
from golive.incidents.stats import incident_stats
from golive.incidents.timeline import read
from golive.records.incidents import IncidentView
from golive.web.api.common import AUTH_ERRORS, BODY_ERRORS, NOT_FOUND, conflict, redacted
from golive.web.auth import Operator, RuntimeDep, Viewer
from golive.web.runtime import Runtime

Action = Literal["ack", "mitigate", "resolve", "reopen"]
_ACTIONS = {"ack": "acknowledge", "mitigate": "mitigate", "resolve": "resolve", "reopen": "reopen"}
Short = Annotated[str, Field(min_length=1, max_length=300)]
Long = Annotated[str, Field(min_length=1, max_length=5000)]


class TimelineOut(BaseModel):
    at: datetime
    kind: str
    actor: str
    message: str


class IncidentOut(BaseModel):
    id: int
    title: str
    severity: str
    state: str
    component: str | None
    components: tuple[str, ...]
    public: bool
    policy: str | None
    opened_at: datetime
    opened_by: str
    respond_by: datetime | None
    breached_at: datetime | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    time_to_acknowledge_s: float | None
    time_to_resolve_s: float | None


class IncidentDetail(IncidentOut):
    timeline: list[TimelineOut]


class OpenIn(BaseModel):
    title: Short
    severity: Short
    component: Short | None = None
    public: StrictBool | None = None
    page: Short | None = Field(default=None, description="an escalation policy to page with")


class ActIn(BaseModel):
    message: Annotated[str, Field(max_length=5000)] = ""


class NoteIn(BaseModel):
    text: Long


class UpdateIn(BaseModel):
    status: Literal["investigating", "identified", "monitoring", "resolved"]
    message: Long
    public: StrictBool | None = None


def _out(runtime: Runtime, view: IncidentView) -> IncidentOut:
    return IncidentOut(
        **{k: v for k, v in asdict(view).items() if k in IncidentOut.model_fields},
        time_to_acknowledge_s=view.time_to_acknowledge,
        time_to_resolve_s=view.time_to_resolve,
    )


async def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return await run_in_threadpool(function, *args, **kwargs)
    except UsageError as exc:
        status = 404 if str(exc).startswith("no incident #") else 409
        raise HTTPException(status_code=status, detail=str(exc)) from None


def list_incidents(
    runtime: RuntimeDep,
    _: Viewer,
    all: Annotated[bool, Query(description="resolved ones too")] = False,
) -> list[IncidentOut]:
    """Open incidents (all with ``all=true``), newest first."""
    found = lifecycle.list_incidents(runtime.store, open_only=not all, limit=500)
    return [_out(runtime, view) for view in found]


async def get_incident(runtime: RuntimeDep, _: Viewer, incident_id: int) -> IncidentDetail:
    """One incident and its timeline, oldest first."""
    view = await _call(lifecycle.get_incident, runtime.store, incident_id)
    entries = await run_in_threadpool(read, runtime.store, incident_id)
    timeline = [
        TimelineOut(at=e.at, kind=e.kind, actor=e.actor, message=redacted(runtime, e.message))
        for e in entries
    ]
    return IncidentDetail(**_out(runtime, view).model_dump(), timeline=timeline)


async def open_incident(runtime: RuntimeDep, principal: Operator, body: OpenIn) -> IncidentOut:
    """Open an incident by hand (operator)."""
    config = runtime.loaded.config
    policies = [p.name for p in config.oncall.escalation_policies]
    if body.page is not None and body.page not in policies:
        raise HTTPException(404, str(UsageError.unknown("escalation policy", body.page, policies)))
    view = await _call(
        lifecycle.open_incident,
        runtime.store,
        config.incidents,
        title=body.title,
        severity=body.severity,
        at=runtime.clock.now(),
        actor=principal.actor,
        component=body.component,
        public=body.public,
        policy=body.page,
    )
    return _out(runtime, view)


async def act_on_incident(
    runtime: RuntimeDep, principal: Operator, incident_id: int, action: Action, body: ActIn
) -> IncidentOut:
    """Acknowledge (stops escalation at once), mitigate, resolve or reopen (operator); a
    change the state does not allow is a 409 that says why."""
    view = await _call(
        lifecycle.act,
        runtime.store,
        incident_id,
        _ACTIONS[action],
        at=runtime.clock.now(),
        actor=principal.actor,
        message=body.message,
    )
    return _out(runtime, view)


async def add_note(
    runtime: RuntimeDep, principal: Operator, incident_id: int, body: NoteIn
) -> IncidentDetail:
    """Add a note to the timeline (operator)."""
    now = runtime.clock.now()
    await _call(
        lifecycle.note, runtime.store, incident_id, body.text, at=now, actor=principal.actor
    )
    return await get_incident(runtime, principal, incident_id)


async def add_update(
    runtime: RuntimeDep, principal: Operator, incident_id: int, body: UpdateIn
) -> IncidentOut:
    """A status update for users: on /status and in the feed when the incident is public."""
    view = await _call(
        lifecycle.update_status,
        runtime.store,
        incident_id,
        status=body.status,
        message=body.message,
        at=runtime.clock.now(),
        actor=principal.actor,
        public=body.public,
    )
    return _out(runtime, view)


def get_stats(
    runtime: RuntimeDep,
    _: Viewer,
    days: Annotated[int, Query(ge=1, le=3660, description="how far back")] = 30,
) -> dict[str, Any]:
    """MTTA, MTTR (seconds), counts and missed response targets, overall and by severity."""
    now = runtime.clock.now()
    return asdict(incident_stats(runtime.store, since=now - timedelta(days=days), until=now))


def build() -> APIRouter:
    router = APIRouter(prefix="/api/incidents", tags=["incidents"], responses=AUTH_ERRORS)
    router.add_api_route("", list_incidents, methods=["GET"], response_model=list[IncidentOut])
    router.add_api_route(
        "",
        open_incident,
        methods=["POST"],
        response_model=IncidentOut,
        responses={**BODY_ERRORS, **NOT_FOUND, **conflict("an unknown severity")},
    )
    router.add_api_route("/stats", get_stats, methods=["GET"])
    router.add_api_route(
        "/{incident_id}",
        get_incident,
        methods=["GET"],
        response_model=IncidentDetail,
        responses=NOT_FOUND,
    )
    router.add_api_route(
        "/{incident_id}/notes",
        add_note,
        methods=["POST"],
        response_model=IncidentDetail,
        responses={**BODY_ERRORS, **NOT_FOUND, **conflict("an empty note")},
    )
    router.add_api_route(
        "/{incident_id}/updates",
        add_update,
        methods=["POST"],
        response_model=IncidentOut,
        responses={**BODY_ERRORS, **NOT_FOUND, **conflict("an unknown status")},
    )
    # after notes and updates: a path is matched against the routes in this order
    router.add_api_route(
        "/{incident_id}/{action}",
        act_on_incident,
        methods=["POST"],
        response_model=IncidentOut,
        responses={**BODY_ERRORS, **NOT_FOUND, **conflict("the state does not allow it")},
    )
    return router
