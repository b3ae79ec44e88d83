"""What the dashboard pages share: ``page`` (render with nav, CSRF token, role flags and the
flash message), ``back`` (a 303 with a flash message), the flash cookie, role checks.

A flash message travels in the short-lived ``golive_flash`` cookie (level and text, URL-quoted)
from a POST handler's redirect to the next page rendered, which shows it once and drops it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from golive.store.tokens import Role, role_allows
from golive.web.auth import Principal
from golive.web.csrf import csrf_token
from golive.web.pages.framework import render
from golive.web.session import is_https

FLASH_COOKIE = "golive_flash"
LEVELS = ("success", "error", "warning")
NAV = (
    ("/", "Checks"),
    ("/alerts", "Alerts"),
    ("/incidents", "Incidents"),
    ("/slos", "SLOs"),
    ("/silences", "Silences"),
    ("/notifications", "Notifications"),
    ("/gate", "Gate"),
    ("/loadtests", "Load tests"),
    ("/maintenance", "Maintenance"),
    ("/oncall", "On call"),
    ("/backups", "Backups"),
    ("/sources", "Metrics"),
    ("/dora", "DORA"),
    ("/flags", "Flags"),
)
ADMIN_NAV = (("/tokens", "Tokens"), ("/users", "Users"))


def can(user: Principal, role: Role) -> bool:
    return role_allows(user.role, role)


def nav_for(user: Principal) -> list[tuple[str, str]]:
    return [*NAV, *(ADMIN_NAV if can(user, "admin") else ())]


def read_flash(request: Request) -> list[dict[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    level, _, message = unquote(raw).partition(":")
    if level not in LEVELS or not message:
        return []
    return [{"level": level, "message": message[:500]}]


def page(
    request: Request,
    user: Principal,
    template: str,
    *,
    current: str,
    status_code: int = 200,
    no_store: bool = False,
    **context: Any,
) -> HTMLResponse:
    """``template`` with the dashboard's context: ``nav``, ``current`` (the nav entry shown as
    the current page), ``csrf`` (the form token), ``is_operator``, ``is_admin``, ``flashes``."""
    flashes = read_flash(request)
    response = render(
        request,
        template,
        status_code=status_code,
        headers={"Cache-Control": "no-store"} if no_store else None,
        **chrome(user, current=current, csrf=csrf_token(request), flashes=flashes),
        **context,
    )
    if flashes or FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/", httponly=True, samesite="lax")
    return response


def chrome(
    user: Principal, *, current: str, csrf: str, flashes: list[dict[str, str]]
) -> dict[str, Any]:
    """The context every dashboard page adds to its own (see ``page``)."""
    return {
        "nav": nav_for(user),
        "current": current,
        "csrf": csrf,
        "is_operator": can(user, "operator"),
        "is_admin": can(user, "admin"),
        "flashes": flashes,
    }


def back(request: Request, to: str, level: str, message: str) -> RedirectResponse:
    """A 303 to ``to`` (a local path) that shows ``message`` there."""
    response = RedirectResponse(to if to.startswith("/") and not to.startswith("//") else "/", 303)
    response.set_cookie(
        FLASH_COOKIE,
        quote(f"{level}:{message[:500]}"),
        max_age=60,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )
    return response


async def form_fields(request: Request) -> dict[str, str]:
    """The text fields of a URL-encoded or multipart form (files are ignored)."""
    async with request.form(max_files=0, max_fields=20) as form:
        return {k: v for k, v in form.items() if isinstance(v, str)}
