"""``/flags``: every flag's state, rollout and last change; operators turn flags on or off and
set the rollout (a form per flag, CSRF-checked, audited like the CLI and the API)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from golive.exceptions import UsageError
from golive.flags.state import change_flag, current_flags
from golive.store.flags import FlagChangeView, flag_changes
from golive.web.auth import PageOperator, PageUser, get_runtime
from golive.web.pages.dashboard.common import back, form_fields, page

CHANGES_SHOWN = 50


def flags_page(request: Request, user: PageUser) -> HTMLResponse:
    """The flags as they are now, with each one's last change, and the latest changes."""
    runtime = get_runtime(request)
    flags = current_flags(runtime.loaded.config.flags, runtime.store)
    changes = flag_changes(runtime.store, limit=CHANGES_SHOWN)
    last: dict[str, FlagChangeView] = {}
    for change in reversed(changes):
        last[change.flag] = change
    return page(
        request,
        user,
        "dashboard/flags.html",
        current="/flags",
        flags=flags,
        last=last,
        changes=changes,
    )


async def set_flag(request: Request, user: PageOperator, name: str) -> Response:
    """Turn a flag on or off and/or set its rollout (operator)."""
    runtime = get_runtime(request)
    fields = await form_fields(request)
    enabled = {"on": True, "off": False}.get(fields.get("enabled", ""))
    rollout_text = fields.get("rollout", "").strip().rstrip("%")
    try:
        rollout = float(rollout_text) if rollout_text else None
    except ValueError:
        return back(request, "/flags", "error", f"Not changed: {rollout_text!r} is not a number.")
    try:
        await run_in_threadpool(
            lambda: change_flag(
                runtime.store,
                runtime.loaded.config.flags,
                name,
                by=user.actor,
                now=runtime.clock.now(),
                enabled=enabled,
                rollout=rollout,
                reason=fields.get("reason", "")[:500],
            )
        )
    except UsageError as exc:
        return back(request, "/flags", "error", f"Not changed: {exc}")
    return back(request, "/flags", "success", f"Changed flag {name}.")


def build() -> APIRouter:
    router = APIRouter(tags=["dashboard"], include_in_schema=False)
    router.add_api_route("/flags", flags_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/flags/{name}", set_flag, methods=["POST"])
    return router
