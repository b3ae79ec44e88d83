"""``/api/alerts``: alerts (active by default), one alert with its history, acknowledging."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from golive.alerts import acknowledge
from golive.exceptions import UsageError
from golive.records import AlertView
from golive.store import alerts as queries
from golive.web.api.common import (
    AUTH_ERRORS,
    NOT_FOUND,
    Limit,
    Offset,
    Responses,
    Text,
    conflict,
    next_offset,
    not_found,
    redacted,
)
from golive.web.api.models import AlertDetail, AlertEventOut, AlertOut, AlertState, Page
from golive.web.auth import Operator, RuntimeDep, Viewer
from golive.web.runtime import Runtime

HISTORY = 100
ACTIVE: list[AlertState] = ["pending", "firing"]


FIRST = "$response.body#/items/0"
LISTED_LINKS: Responses = {  # the stateful tests follow them from a listing to the first alert's routes
    200: {
        "links": {
            "ack": {
                "operationId": "acknowledge_alert",
                "parameters": {"fingerprint": f"{FIRST}/fingerprint"},
            },
            "alert": {
                "operationId": "get_alert",
                "parameters": {"fingerprint": f"{FIRST}/fingerprint"},
            },
            "check": {"operationId": "get_check", "parameters": {"name": f"{FIRST}/check"}},
        }
    }
}


def list_alerts(
    runtime: RuntimeDep,
    _: Viewer,
    state: Annotated[
        list[AlertState] | None, Query(description="repeatable; default: pending and firing")
    ] = None,
    severity: Text = None,
    check: Text = None,
    component: Text = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[AlertOut]:
    """Alerts, most recently changed first."""
    found = queries.list_alerts(
        runtime.store,
        state=state or ACTIVE,
        severity=severity,
        check=check,
        component=component,
        limit=limit + 1,
        offset=offset,
    )
    shown = found[:limit]
    return Page[AlertOut](
        items=[_alert_out(runtime, a) for a in shown],
        limit=limit,
        offset=offset,
        next_offset=next_offset(offset, len(shown), len(found) > limit),
    )


def get_alert(runtime: RuntimeDep, _: Viewer, fingerprint: str) -> AlertDetail:
    """One alert and its transitions, newest first."""
    found = queries.get_alert(runtime.store, fingerprint)
    if found is None:
        raise not_found("alert", fingerprint)
    events = queries.alert_history(runtime.store, fingerprint, limit=HISTORY)
    history = [
        AlertEventOut(
            id=e.id,
            at=e.at,
            transition=e.transition,
            payload=redacted(runtime, e.payload),
            routed_at=e.routed_at,
        )
        for e in events
    ]
    return AlertDetail(**_alert_out(runtime, found).model_dump(), history=history)


async def acknowledge_alert(runtime: RuntimeDep, principal: Operator, fingerprint: str) -> AlertOut:
    """Acknowledge an active alert (operator): the notifier stops repeating it until it
    resolves. Acknowledging it again changes nothing; a resolved alert is a 409."""
    store = runtime.store
    if await run_in_threadpool(queries.get_alert, store, fingerprint) is None:
        raise not_found("alert", fingerprint)
    try:
        found = await run_in_threadpool(
            acknowledge, store, fingerprint, by=principal.actor, now=runtime.clock.now()
        )
    except UsageError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    return _alert_out(runtime, found)


def build() -> APIRouter:
    router = APIRouter(prefix="/api/alerts", tags=["alerts"], responses=AUTH_ERRORS)
    router.add_api_route(
        "", list_alerts, methods=["GET"], response_model=Page[AlertOut], responses=LISTED_LINKS
    )
    router.add_api_route(
        "/{fingerprint}",
        get_alert,
        methods=["GET"],
        response_model=AlertDetail,
        responses=NOT_FOUND,
    )
    router.add_api_route(
        "/{fingerprint}/ack",
        acknowledge_alert,
        methods=["POST"],
        response_model=AlertOut,
        responses={**NOT_FOUND, **conflict("the alert is resolved")},
    )
    return router


def _alert_out(runtime: Runtime, alert: AlertView) -> AlertOut:
    return AlertOut(
        fingerprint=alert.fingerprint,
        name=alert.name,
        rule=alert.rule,
        check=alert.check,
        component=alert.component,
        severity=alert.severity,
        labels=redacted(runtime, dict(alert.labels)),
        state=alert.state,
        pending_since=alert.pending_since,
        firing_since=alert.firing_since,
        resolved_at=alert.resolved_at,
        summary=redacted(runtime, alert.summary),
        details=redacted(runtime, dict(alert.details)),
        silenced_by=alert.silenced_by,
        inhibited_by=alert.inhibited_by,
        acknowledged_by=alert.acknowledged_by,
        acknowledged_at=alert.acknowledged_at,
        last_notified_at=alert.last_notified_at,
        updated_at=alert.updated_at,
    )
