"""``/api/tokens`` (admin): list, create (the token is shown once) and revoke API tokens."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from golive.store import tokens
from golive.web.api.common import AUTH_ERRORS, BODY_ERRORS, NOT_FOUND, not_found
from golive.web.api.models import TokenCreate, TokenCreated, TokenOut
from golive.web.auth import Admin, RuntimeDep

REVOKE_CREATED = {
    "operationId": "revoke_token",
    "parameters": {"token_id": "$response.body#/id"},
    "description": "revoke the token just created",
}


def list_tokens(runtime: RuntimeDep, _: Admin, revoked: bool = True) -> list[TokenOut]:
    """Every token, oldest first (``revoked=false`` leaves out revoked ones)."""
    return [_token_out(t) for t in tokens.list_tokens(runtime.store, include_revoked=revoked)]


async def create_token(runtime: RuntimeDep, _: Admin, body: TokenCreate) -> TokenCreated:
    """A new token; the answer holds it in ``token``, which is never shown again."""
    issued = await run_in_threadpool(
        tokens.issue_token,
        runtime.store,
        name=body.name,
        role=body.role,
        now=runtime.clock.now(),
    )
    return TokenCreated(**_token_out(issued.token).model_dump(), token=issued.plaintext)


async def revoke_token(runtime: RuntimeDep, _: Admin, token_id: int) -> TokenOut:
    """Revoke a token: it is refused from the next request on."""
    revoked = await run_in_threadpool(
        tokens.revoke_token, runtime.store, token_id, runtime.clock.now()
    )
    if revoked is None:
        raise not_found("token", token_id)
    return _token_out(revoked)


def build() -> APIRouter:
    router = APIRouter(prefix="/api/tokens", tags=["tokens"], responses=AUTH_ERRORS)
    router.add_api_route("", list_tokens, methods=["GET"], response_model=list[TokenOut])
    router.add_api_route(
        "",
        create_token,
        methods=["POST"],
        response_model=TokenCreated,
        status_code=201,
        responses={**BODY_ERRORS, 201: {"links": {"revoke": REVOKE_CREATED}}},
    )
    router.add_api_route(
        "/{token_id}/revoke",
        revoke_token,
        methods=["POST"],
        response_model=TokenOut,
        responses=NOT_FOUND,
    )
    return router


def _token_out(token: tokens.TokenView) -> TokenOut:
    return TokenOut(
        id=token.id,
        name=token.name,
        role=token.role,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
        active=token.active,
    )
