"""``/oncall``: who is on call now and next per schedule, and a calendar of the coming weeks."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from golive.incidents.oncall import calendar_weeks, now_and_next
from golive.web.auth import PageUser, get_runtime
from golive.web.pages.dashboard.common import page

WEEKS = 4


def _local(at: datetime | None, zone: str) -> dict[str, str] | None:
    if at is None:
        return None
    shown = at.astimezone(ZoneInfo(zone))
    return {"iso": at.isoformat(), "text": shown.strftime("%a %Y-%m-%d %H:%M %Z")}


def oncall_page(request: Request, user: PageUser) -> HTMLResponse:
    """Now and next for every schedule, then each schedule's calendar (local days)."""
    runtime = get_runtime(request)
    oncall = runtime.loaded.config.oncall
    now = runtime.clock.now()
    holders: list[dict[str, Any]] = [
        {
            "schedule": h.schedule,
            "timezone": h.timezone,
            "person": h.person,
            "override": h.override,
            "since": _local(h.since, h.timezone),
            "until": _local(h.until, h.timezone),
            "next": h.next_person,
            "next_until": _local(h.next_until, h.timezone),
        }
        for h in now_and_next(oncall, now)
    ]
    calendars = [
        {
            "name": s.name,
            "timezone": s.timezone,
            "today": now.astimezone(ZoneInfo(s.timezone)).date(),
            "weeks": calendar_weeks(s, now, WEEKS),
        }
        for s in oncall.schedules
    ]
    return page(
        request,
        user,
        "dashboard/oncall.html",
        current="/oncall",
        holders=holders,
        calendars=calendars,
        weeks=WEEKS,
    )


def build() -> APIRouter:
    router = APIRouter(tags=["dashboard"], include_in_schema=False)
    router.add_api_route("/oncall", oncall_page, methods=["GET"], response_class=HTMLResponse)
    return router
