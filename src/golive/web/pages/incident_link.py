"""``/i/{token}``: the one-click link of a page, without a login. A GET shows the incident and
a button (mail scanners follow links; they must not acknowledge); the POST of that button acts
once. A changed, expired or used link gets a page that says which; the anonymous rate limit of
the API applies to both."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from golive.incidents.lifecycle import get_incident
from golive.incidents.links import LinkError, use, verify
from golive.web.auth import get_runtime
from golive.web.csrf import csrf_token
from golive.web.pages.framework import render

_STATUS = {"tampered": 400, "expired": 410, "used": 409, "refused": 409}
_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def build() -> APIRouter:
    router = APIRouter(tags=["incidents"], include_in_schema=False)

    async def confirm_link(request: Request, token: str) -> Response:
        """What the link would do, and a button that does it."""
        runtime = get_runtime(request)
        try:
            link = await run_in_threadpool(verify, runtime.store, token, runtime.clock.now())
            incident = await run_in_threadpool(get_incident, runtime.store, link.incident_id)
        except LinkError as exc:
            return _refused(request, exc)
        return _page(
            request,
            heading=f"{link.action.capitalize()} incident #{incident.id}?",
            incident=incident,
            token=token,
            confirm=f"{link.action.capitalize()} as {link.recipient}",
            expires=link.expires_at,
        )

    async def use_link(request: Request, token: str) -> Response:
        """Act on the link, once."""
        runtime = get_runtime(request)
        try:
            incident = await run_in_threadpool(use, runtime.store, token, runtime.clock.now())
        except LinkError as exc:
            return _refused(request, exc)
        return _page(
            request, heading=f"Incident #{incident.id} {incident.state}", incident=incident
        )

    router.add_api_route("/i/{token}", confirm_link, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/i/{token}", use_link, methods=["POST"], response_class=HTMLResponse)
    return router


def _page(request: Request, *, status_code: int = 200, **shown: Any) -> HTMLResponse:
    context = {"error": None, "incident": None, "confirm": None, "token": "", "expires": None}
    context["csrf"] = csrf_token(request)  # a signed-in browser's POST needs its session's token
    return render(
        request,
        "incident_link.html",
        status_code=status_code,
        headers=_HEADERS,
        **{**context, **shown},
    )


def _refused(request: Request, exc: LinkError) -> HTMLResponse:
    return _page(
        request,
        status_code=_STATUS.get(exc.reason, 400),
        heading="This link cannot be used",
        error=str(exc),
    )
