"""``/``: the operator dashboard's overview of every check (login required).

Filters (``state``, ``component``, ``q``: text in the name, description or component) and
server-side pages (``limit``, default 100, at most 500; ``offset``). States come from the
runtime's ``statuses()`` snapshot and the configuration, so a page costs one pass over the
configured checks whatever their number; only the checks shown that the scheduler does not
know (yet) are looked up in the store, in one query. ``?fragment=1`` answers just the table
(``static/dashboard.js`` fetches it every 10 s and swaps it in).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from golive.config.checks import CheckBase
from golive.engine.state import CheckStatus
from golive.store import history
from golive.web.auth import PageUser, get_runtime
from golive.web.pages.dashboard_common import page
from golive.web.runtime import Runtime

PAGE_SIZE = 100
MAX_PAGE = 500
STATES = ("up", "degraded", "down", "maintenance", "unknown")


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


def overview(
    request: Request,
    user: PageUser,
    state: Annotated[str | None, Query(max_length=20)] = None,
    component: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    fragment: bool = False,
) -> HTMLResponse:
    """Every check with its state, filtered and paged."""
    runtime = get_runtime(request)
    state, component, q = state or None, component or None, (q or "").strip() or None
    checks = list(runtime.loaded.config.checks)
    live = runtime.statuses()
    counts = Counter(_state(live.get(c.name)) for c in checks)
    if component is not None:
        checks = [c for c in checks if c.component == component]
    if q is not None:
        needle = q.casefold()
        checks = [c for c in checks if needle in _haystack(c)]
    if state is not None:
        checks = [c for c in checks if _state(live.get(c.name)) == state]
    total = len(checks)
    shown = checks[offset : offset + limit]
    rows = _rows(runtime, shown, live)
    filters = {"state": state, "component": component, "q": q, "limit": limit}
    components = sorted({c.component for c in runtime.loaded.config.checks if c.component})
    context: dict[str, Any] = {
        "rows": rows,
        "total": total,
        "all_total": len(runtime.loaded.config.checks),
        "counts": counts,
        "states": STATES,
        "components": components,
        "filters": filters,
        "offset": offset,
        "limit": limit,
        "prev_url": _url(filters, max(0, offset - limit)) if offset > 0 else None,
        "next_url": _url(filters, offset + limit) if offset + limit < total else None,
        "fragment_url": _url(filters, offset, fragment=True),
        "now": runtime.clock.now(),
    }
    template = "dashboard/checks_table.html" if fragment else "dashboard/overview.html"
    return page(request, user, template, current="/", **context)


def _rows(runtime: Runtime, shown: list[CheckBase], live: Mapping[str, CheckStatus]) -> list[Row]:
    statuses = {c.name: live[c.name] for c in shown if c.name in live}
    missing = [c.name for c in shown if c.name not in statuses]
    if missing:
        statuses.update(history.check_states(runtime.store, missing))
    in_maintenance = runtime.maintenance()
    secrets = runtime.loaded.secrets
    rows = []
    for check in shown:
        status = statuses.get(check.name)
        rows.append(
            Row(
                name=check.name,
                component=check.component,
                description=check.description,
                state=_state(status),
                since=status.since if status else None,
                latency_ms=status.last_latency_ms if status else None,
                error=secrets.redact(status.last_error) if status and status.last_error else None,
                maintenance=in_maintenance.get(check.name),
            )
        )
    return rows


def _state(status: CheckStatus | None) -> str:
    return status.state if status else "unknown"


def _haystack(check: CheckBase) -> str:
    return " ".join((check.name, check.description, check.component or "")).casefold()


def _url(filters: Mapping[str, object], offset: int, *, fragment: bool = False) -> str:
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
