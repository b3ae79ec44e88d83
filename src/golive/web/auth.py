"""Request authentication: ``Authorization: Bearer <token>`` → a ``Principal`` with a role.

The rate-limit middleware authenticates each request with credentials once (through the
function ``authenticator`` builds) and leaves the result in the request's state; the route
dependencies ``Viewer``, ``Operator`` and ``Admin`` read it and answer 401 (no valid token) or
403 (a role too small). Tokens themselves live in ``golive.store.tokens``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, cast

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from golive.store.tokens import Role, role_allows, verify_token
from golive.web.runtime import Runtime
from golive.web.security import AUTH_STATE, Identity

_bearer = HTTPBearer(auto_error=False, scheme_name="bearer", description="a golive API token")


@dataclass(frozen=True)
class Principal:
    """The holder of a valid token."""

    token_id: int
    name: str
    role: Role

    @property
    def rate_key(self) -> str:
        return f"token:{self.token_id}"

    @property
    def actor(self) -> str:
        """How this principal is named in what it creates (silences, acknowledgements)."""
        return f"token:{self.name}"


def bearer_token(credentials: str) -> str | None:
    """The token of an ``Authorization`` value, or None when it is not a bearer token."""
    scheme, _, token = credentials.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def authenticator(runtime: Runtime) -> Callable[[str], Awaitable[Identity | None]]:
    """The function the middleware calls with an ``Authorization`` value."""

    async def authenticate(credentials: str) -> Identity | None:
        token = bearer_token(credentials)
        if token is None:
            return None
        view = await run_in_threadpool(verify_token, runtime.store, token, runtime.clock.now())
        return None if view is None else Principal(view.id, view.name, view.role)

    return authenticate


def get_runtime(request: Request) -> Runtime:
    return cast(Runtime, request.app.state.runtime)


def require(role: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that answers 401 without a valid token and 403 below ``role``."""

    async def dependency(
        request: Request,
        _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    ) -> Principal:
        state: dict[str, Any] = request.scope.get("state") or {}
        principal = state.get(AUTH_STATE)
        if not isinstance(principal, Principal):
            raise HTTPException(
                status_code=401,
                detail="a valid token is required: Authorization: Bearer <token>",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not role_allows(principal.role, role):
            raise HTTPException(status_code=403, detail=f"this needs the {role} role or above")
        return principal

    dependency.__name__ = f"require_{role}"
    return dependency


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Viewer = Annotated[Principal, Depends(require("viewer"))]
Operator = Annotated[Principal, Depends(require("operator"))]
Admin = Annotated[Principal, Depends(require("admin"))]
