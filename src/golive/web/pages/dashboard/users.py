"""``/users`` (admin): dashboard accounts, as ``golive user`` manages them from the CLI.

Adding one takes a name, a role and a first password (argon2id, like the CLI); removing one
disables it and ends its sessions at once (here, and within ``VERIFIED_TTL`` on other servers
of the same store). An admin cannot remove their own account from here: another admin, or the
CLI, does that, so nobody locks the last admin out by a slip.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from golive import accounts
from golive.exceptions import UsageError
from golive.store import users
from golive.store.tokens import ROLES
from golive.web.auth import PageAdmin, get_runtime
from golive.web.pages.dashboard.common import back, form_fields, page
from golive.web.session import verified_sessions


def users_page(request: Request, user: PageAdmin) -> HTMLResponse:
    """Every user, oldest first, the removed ones too."""
    runtime = get_runtime(request)
    return page(
        request,
        user,
        "dashboard/users.html",
        current="/users",
        users=users.list_users(runtime.store, include_removed=True),
        roles=ROLES,
        me=user.name,
    )


async def add(request: Request, user: PageAdmin) -> Response:
    """Add a user (or bring a removed one back) with a role and a first password."""
    runtime = get_runtime(request)
    fields = await form_fields(request)
    name, role = fields.get("name", "").strip()[:100], fields.get("role", "")
    password = fields.get("password", "")
    if role not in ROLES:
        return back(request, "/users", "error", "Choose a role.")
    if password != fields.get("confirm", ""):
        return back(request, "/users", "error", "The two passwords differ.")
    try:
        added = await run_in_threadpool(
            accounts.add_user,
            runtime.store,
            name=name,
            role=role,
            password=password,
            now=runtime.clock.now(),
        )
    except UsageError as exc:
        return back(request, "/users", "error", f"Not added: {exc}.")
    return back(request, "/users", "success", f"Added {added.name} ({added.role}).")


async def remove(request: Request, user: PageAdmin, name: str) -> Response:
    """Disable a user and end their sessions (admin; not oneself)."""
    runtime = get_runtime(request)
    if name == user.name:
        return back(request, "/users", "error", "You cannot remove yourself here.")
    try:
        ended = await run_in_threadpool(
            accounts.remove_user, runtime.store, name, runtime.clock.now()
        )
    except UsageError as exc:
        return back(request, "/users", "error", f"Not removed: {exc}.")
    verified_sessions(request).forget_user(name)
    return back(request, "/users", "success", f"Removed {name}; {ended} session(s) ended.")


def build() -> APIRouter:
    router = APIRouter(tags=["dashboard"], include_in_schema=False)
    router.add_api_route("/users", users_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/users", add, methods=["POST"], response_class=HTMLResponse)
    router.add_api_route("/users/{name}/remove", remove, methods=["POST"])
    return router
