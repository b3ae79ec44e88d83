"""``/slos`` and ``/slos/{name}`` (login required): every SLO's attainment, budget and burn, and
one SLO's page: its numbers, a budget-burn chart over the window (inline SVG), the burn rate
over each alert window and the alerts it raised."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool

from golive.slo.sli import Reader
from golive.slo.status import evaluate
from golive.web.api.slos import detail
from golive.web.auth import PageUser, get_runtime
from golive.web.pages.dashboard.common import page

WIDTH, HEIGHT, PAD = 300.0, 80.0, 4.0


def slos_page(request: Request, user: PageUser) -> HTMLResponse:
    """Every SLO now."""
    runtime = get_runtime(request)
    now, reader = runtime.clock.now(), Reader.of(runtime.store)
    rows = [evaluate(s, reader, now).as_json() for s in runtime.loaded.config.slos]
    return page(request, user, "dashboard/slos.html", current="/slos", slos=rows)


async def slo_page(request: Request, user: PageUser, name: str) -> HTMLResponse:
    """One SLO."""
    found = await run_in_threadpool(detail, get_runtime(request), name)
    chart = budget_chart([share for _, share in found["series"]], found["window"])
    return page(request, user, "dashboard/slo.html", current="/slos", slo=found, chart=chart)


def budget_chart(shares: Sequence[float | None], window: str) -> Markup:
    """The remaining budget share over the window as an SVG line from 100 % (top) down to 0 %
    (the marked baseline) and below when overspent; words for screen readers too."""
    points = [(i, s) for i, s in enumerate(shares) if s is not None]
    if not points:
        return Markup("")
    low = min(0.0, *(s for _, s in points))
    step = (WIDTH - 2 * PAD) / max(1, len(shares) - 1)

    def y(share: float) -> float:
        return PAD + (1.0 - share) / (1.0 - low) * (HEIGHT - 2 * PAD)

    line = " ".join(f"{PAD + i * step:.1f},{y(s):.1f}" for i, s in points)
    last = points[-1][1]
    label = escape(f"Error budget over the last {window}: {last * 100:.1f}% left at the end")
    return Markup(
        f'<svg class="budget-chart" viewBox="0 0 {WIDTH:g} {HEIGHT:g}" role="img"'
        f' aria-label="{label}"><title>{label}</title>'
        f'<line class="budget-zero" x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(0):.1f}" y2="{y(0):.1f}"/>'
        f'<polyline class="budget-line" points="{line}"/></svg>'
    )


def build() -> APIRouter:
    router = APIRouter(tags=["dashboard"], include_in_schema=False)
    router.add_api_route("/slos", slos_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/slos/{name}", slo_page, methods=["GET"], response_class=HTMLResponse)
    return router
