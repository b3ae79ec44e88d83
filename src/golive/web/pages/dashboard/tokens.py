"""``/tokens`` (admin): API tokens; creating one shows it once (that answer is not cached and
not redirected, so the token is in no URL or history entry); revoking ends it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from golive.exceptions import UsageError
from golive.store import tokens
from golive.store.tokens import ROLES
from golive.web.auth import PageAdmin, get_runtime
from golive.web.pages.dashboard.common import back, form_fields, page


def tokens_page(request: Request, user: PageAdmin) -> HTMLResponse:
    """Every token, oldest first."""
    return _page(request, user)


async def create(request: Request, user: PageAdmin) -> Response:
    """A new token, shown on the answer once."""
    runtime = get_runtime(request)
    fields = await form_fields(request)
    name, role = fields.get("name", "").strip()[:200], fields.get("role", "")
    if not name or role not in ROLES:
        return back(request, "/tokens", "error", "A token needs a name and a role.")
    try:
        issued = await run_in_threadpool(
            tokens.issue_token, runtime.store, name=name, role=role, now=runtime.clock.now()
        )
    except UsageError as exc:
        return back(request, "/tokens", "error", f"Not created: {exc}")
    return await run_in_threadpool(_page, request, user, issued)


async def revoke(request: Request, user: PageAdmin, token_id: int) -> Response:
    """Revoke a token (admin)."""
    runtime = get_runtime(request)
    revoked = await run_in_threadpool(
        tokens.revoke_token, runtime.store, token_id, runtime.clock.now()
    )
    if revoked is None:
        return back(request, "/tokens", "error", f"No token {token_id}.")
    return back(request, "/tokens", "success", f"Revoked token {revoked.name}.")


def _page(
    request: Request, user: PageAdmin, issued: tokens.IssuedToken | None = None
) -> HTMLResponse:
    runtime = get_runtime(request)
    return page(
        request,
        user,
        "dashboard/tokens.html",
        current="/tokens",
        no_store=True,
        tokens=tokens.list_tokens(runtime.store, include_revoked=True),
        issued=issued,
        roles=ROLES,
    )


def build() -> APIRouter:
    router = APIRouter(tags=["dashboard"], include_in_schema=False)
    router.add_api_route("/tokens", tokens_page, methods=["GET"], response_class=HTMLResponse)
    router.add_api_route("/tokens", create, methods=["POST"], response_class=HTMLResponse)
    router.add_api_route("/tokens/{token_id}/revoke", revoke, methods=["POST"])
    return router
