"""``/``: the operator dashboard's overview of every check (login required).

Filters (``state``, ``component``, ``q``: text in the name, description or component,
``label``: ``key=value``), ``sort`` and server-side pages (``limit``, default 100, at most
500; ``offset``): the selection of ``golive.engine.checks_now``. ``?fragment=1`` answers just
the table (``static/dashboard.js`` fetches it every 10 s and swaps it in).

Built to stay fast at 10,000 checks with many operators looking: the checks now are made once
per change of the runtime's checks (``golive.web.checks_now``); from them each **table**
(selection and page) is rendered once and shared by every signed-in user asking for it (it
holds nothing personal), and so is the **page** around it per role (``OverviewPages``), with
the user's name and CSRF token left as slots filled in per answer. So an answer is a lookup
and a join of bytes; a page with a flash message to show is rendered for its request alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from golive.engine.checks_now import SORTS, STATES, CheckNow, ChecksNow, Selection, parse_label
from golive.web.auth import PageUser, get_runtime
from golive.web.checks_now import live_checks
from golive.web.csrf import csrf_token
from golive.web.pages.dashboard.common import FLASH_COOKIE, page
from golive.web.pages.dashboard.page_cache import OverviewPages, Table, View
from golive.web.pages.framework import HTML_TYPE, PAGE_CSP, html_response, pages_of
from golive.web.pages.sparkline import sparkline
from golive.web.runtime import Runtime

PAGE_SIZE = 100
MAX_PAGE = 500


@dataclass(frozen=True)
class Row:
    name: str
    component: str | None
    description: str
    state: str
    since: datetime | None
    latency_ms: float | None
    error: str | None
    maintenance: str | None
    spark: Markup


async def overview(request: Request, user: PageUser) -> Response:
    """Every check with its state, filtered, sorted and paged."""
    runtime, pages = get_runtime(request), overview_pages(request)
    view, fragment = view_of(request.query_params)
    now = await live_checks(request).aget(runtime)
    table = await pages.table(view).aget(
        now, lambda: _table(request, runtime, now, view), now=runtime.clock.monotonic()
    )
    if fragment:
        return html_response(table.html)
    if FLASH_COOKIE in request.cookies:  # a message for this user alone: not from the cache
        return page(request, user, "dashboard/overview.html", current="/", **_context(table))
    parts = table.pages.get(user.role)
    if parts is None:
        parts = pages.page(request, user.role, _context(table))
        table.pages[user.role] = parts
    body = parts.fill(name=user.name, csrf=csrf_token(request))
    return Response(body, media_type=HTML_TYPE, headers={"Content-Security-Policy": PAGE_CSP})


def view_of(query: Mapping[str, str]) -> tuple[View, bool]:
    """The view a query asks for, and whether just the table (``fragment``); 422 for a value
    out of bounds. Read here rather than as FastAPI parameters: solving those was half of what
    an answer from the cache cost."""

    def text(name: str, most: int) -> str | None:
        value = query.get(name, "").strip()
        if len(value) > most:
            raise HTTPException(422, f"{name}: at most {most} characters")
        return value or None

    def number(name: str, default: int, least: int, most: int) -> int:
        raw = query.get(name)
        try:
            value = default if raw is None else int(raw)
        except ValueError:
            raise HTTPException(422, f"{name}: a whole number") from None
        if not least <= value <= most:
            raise HTTPException(422, f"{name}: from {least} to {most}")
        return value

    sort = query.get("sort") or "config"
    if sort not in SORTS:
        raise HTTPException(422, f"sort: one of {', '.join(SORTS)}")
    label = text("label", 200)
    selection = Selection(
        state=text("state", 20),
        component=text("component", 200),
        q=text("q", 200),
        labels=(parse_label(label),) if label else (),
        sort=sort,
    )
    limit = number("limit", PAGE_SIZE, 1, MAX_PAGE)
    offset = number("offset", 0, 0, 10_000_000)
    fragment = query.get("fragment", "").lower() in ("1", "true", "on", "yes")
    return View(selection, limit, offset), fragment


def overview_pages(request: Request) -> OverviewPages:
    cache: OverviewPages = request.app.state.overview
    return cache


def _context(table: Table) -> dict[str, Any]:
    params = _params(table.view)
    return {
        "table_html": table.html,
        "states": STATES,
        "components": table.components,
        "filters": params,
        "sorts": SORTS,
        "fragment_url": _url(params, table.view.offset, fragment=True),
    }


def _params(view: View) -> dict[str, Any]:
    selection = view.selection
    label = selection.labels[0] if selection.labels else None
    return {
        "state": selection.state,
        "component": selection.component,
        "q": selection.q,
        "label": None if label is None else label[0] + ("" if label[1] is None else f"={label[1]}"),
        "sort": None if selection.sort == "config" else selection.sort,
        "limit": view.limit,
    }


def _table(request: Request, runtime: Runtime, now: ChecksNow, view: View) -> Table:
    checks = now.select(view.selection)
    limit, offset = view.limit, view.offset
    shown = checks[offset : offset + limit]
    params = _params(view)
    html = pages_of(request).render_text(
        request,
        "dashboard/checks_table.html",
        rows=_rows(runtime, shown),
        all_total=len(now.rows),
        counts=now.counts,
        states=STATES,
        total=len(checks),
        offset=offset,
        prev_url=_url(params, max(0, offset - limit)) if offset > 0 else None,
        next_url=_url(params, offset + limit) if offset + limit < len(checks) else None,
        now=runtime.clock.now(),
    )
    return Table(view, Markup(html), now.components)


def _rows(runtime: Runtime, shown: list[CheckNow]) -> list[Row]:
    recent = runtime.recent_latencies(row.name for row in shown)
    return [
        Row(
            name=row.name,
            component=row.check.component,
            description=row.check.description,
            state=row.state,
            since=row.status.since if row.status else None,
            latency_ms=row.status.last_latency_ms if row.status else None,
            error=row.last_error,
            maintenance=row.maintenance,
            spark=sparkline(recent.get(row.name, ())),
        )
        for row in shown
    ]


def _url(filters: dict[str, Any], offset: int, *, fragment: bool = False) -> str:
    params = {k: v for k, v in filters.items() if v is not None and v != ""}
    if params.get("limit") == PAGE_SIZE:
        params.pop("limit")
    if offset:
        params["offset"] = offset
    if fragment:
        params["fragment"] = 1
    return "/" + (f"?{urlencode(params)}" if params else "")


def build() -> APIRouter:
    router = APIRouter(tags=["dashboard"], include_in_schema=False)
    router.add_api_route("/", overview, methods=["GET"], response_class=HTMLResponse)
    return router
