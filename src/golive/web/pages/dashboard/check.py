"""``/checks/{name}``: one check (login required): its state, last result with the failed
expectations, the newest 50 evidence records, its active and past alerts, a 24 h latency chart
(``/checks/{name}/latency.json``, minute rollups and the open minute) and, for operators, a form that silences it
(``POST /checks/{name}/silence``: a duration from ``DURATIONS`` and a reason)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from golive.alerts import create_silence
from golive.config.checks import CheckBase
from golive.exceptions import UsageError
from golive.store import alerts as alert_queries
from golive.store import history
from golive.web.auth import PageOperator, PageUser, get_runtime
from golive.web.pages.dashboard.common import back, form_fields, page
from golive.web.runtime import Runtime

RECENT_EVIDENCE = 50
PAST_ALERTS = 20
WINDOW = timedelta(hours=24)
DURATIONS: dict[str, timedelta] = {
    "30m": timedelta(minutes=30),
    "1h": timedelta(hours=1),
    "2h": timedelta(hours=2),
    "4h": timedelta(hours=4),
    "8h": timedelta(hours=8),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
}


def check_page(request: Request, user: PageUser, name: str) -> HTMLResponse:
    """The check's page."""
    runtime = get_runtime(request)
    check = _configured(runtime, name)
    store, secrets = runtime.store, runtime.loaded.secrets
    status = runtime.statuses().get(name) or history.check_states(store, [name]).get(name)
    evidence = history.evidence(store, kind="probe", subject=name, limit=RECENT_EVIDENCE).items
    active = alert_queries.list_alerts(store, state=["pending", "firing"], check=name)
    past = alert_queries.list_alerts(store, state="resolved", check=name, limit=PAST_ALERTS)
    now = runtime.clock.now()
    return page(
        request,
        user,
        "dashboard/check.html",
        current="/",
        check=check,
        state=status.state if status else "unknown",
        status=status,
        last_error=secrets.redact(status.last_error) if status and status.last_error else None,
        last_failed=secrets.redact_data(status.last_failed) if status else [],
        maintenance=runtime.maintenance().get(name),
        evidence=[_evidence(runtime, e) for e in evidence],
        active_alerts=active,
        past_alerts=past,
        durations=list(DURATIONS),
        now=now,
    )


def latency_json(request: Request, user: PageUser, name: str) -> JSONResponse:
    """Latency per minute of the last 24 h, the minute still open included: ``t`` (minute
    starts, unix seconds), ``avg`` and ``max`` (ms; null without runs), ``runs``,
    ``failures``."""
    runtime = get_runtime(request)
    _configured(runtime, name)
    end = runtime.clock.now()
    stored = history.rollups(runtime.store, name, resolution="minute", start=end - WINDOW, end=end)
    minutes = {r.bucket: r.as_bucket() for r in stored}
    for open_minute in runtime.unsaved_rollups("minute", name):  # stored when it ends
        if open_minute.start in minutes:
            minutes[open_minute.start].merge(open_minute)
        else:
            minutes[open_minute.start] = open_minute
    rows = [minutes[start] for start in sorted(minutes)]
    return JSONResponse(
        {
            "check": name,
            "t": [int(b.start.timestamp()) for b in rows],
            "avg": [b.latency_sum_ms / b.runs if b.runs else None for b in rows],
            "max": [b.latency_max_ms if b.runs else None for b in rows],
            "runs": [b.runs for b in rows],
            "failures": [b.failures for b in rows],
        },
        headers={"Cache-Control": "no-store"},
    )


async def silence_check(request: Request, user: PageOperator, name: str) -> Response:
    """Silence the check's alerts for the chosen duration (operator)."""
    runtime = get_runtime(request)
    _configured(runtime, name)
    fields = await form_fields(request)
    here = f"/checks/{name}"
    duration = DURATIONS.get(fields.get("duration", ""))
    if duration is None:
        return back(request, here, "error", "Choose how long the silence lasts.")
    try:
        created = await run_in_threadpool(
            create_silence,
            runtime.store,
            runtime.loaded,
            check=name,
            duration=duration,
            reason=fields.get("reason", "")[:2000],
            created_by=user.actor,
            now=runtime.clock.now(),
        )
    except UsageError as exc:
        return back(request, here, "error", f"Not silenced: {exc}")
    return back(
        request,
        here,
        "success",
        f"Silenced {name} until {created.ends_at:%Y-%m-%d %H:%M} UTC (silence {created.id}).",
    )


def _configured(runtime: Runtime, name: str) -> CheckBase:
    try:
        return runtime.loaded.config.check(name)
    except KeyError:
        raise HTTPException(status_code=404, detail=f"no check {name!r}") from None


def _evidence(runtime: Runtime, row: history.StoredEvidence) -> dict[str, Any]:
    redact = runtime.loaded.secrets.redact_data
    return {
        "id": row.id,
        "ok": row.ok,
        "taken_at": row.taken_at,
        "latency_ms": row.latency_ms,
        "error": redact(row.error),
        "values": redact(row.values),
        "failed": redact(row.failed),
    }


def build() -> APIRouter:
    router = APIRouter(tags=["dashboard"], include_in_schema=False)
    router.add_api_route("/checks/{name}", check_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/checks/{name}/latency.json", latency_json, methods=["GET"])
    router.add_api_route("/checks/{name}/silence", silence_check, methods=["POST"])
    return router
