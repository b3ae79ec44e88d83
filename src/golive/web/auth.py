"""Who a request is: a bearer token or a login session → a ``Principal`` with a role, and the
route dependencies that check it.

``golive.web.credentials`` authenticates each request once, before any route runs, and leaves
the ``Principal`` (None for credentials that are not valid) in the request's state
(``AUTH_STATE``): with ``Authorization``, the bearer token decides and a session cookie sent
along is ignored; without it, the ``golive_session`` cookie does (the role is the user's role
now: a changed role counts at the next request). Tokens live in ``golive.store.tokens``; users
and sessions in ``golive.accounts`` (their rows in ``golive.store.users``).

Route dependencies read it. For the JSON API: ``Viewer``, ``Operator`` and ``Admin`` answer 401
(no valid token or session) or 403 (a role too small) as JSON. For HTML pages: ``PageUser``,
``PageOperator`` and ``PageAdmin`` answer a 303 to ``/login?next=<this page>`` when nobody is
logged in (``LoginRequired``), a JSON 403 (``SESSION_ONLY``) to a bearer token: the dashboard
takes login sessions only; and a 403 page when the role is too small (``PageForbidden``,
rendered by ``golive.web.login``; without its handler it is a JSON 403).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, cast
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection

from golive.store.tokens import Role, role_allows
from golive.store.users import UserView
from golive.web.runtime import Runtime

AUTH_STATE = "golive.auth"  # scope["state"] key: the Principal of a request with credentials
SESSION_ONLY = "the dashboard takes a login session, not a token: use the API under /api/"
_bearer = HTTPBearer(auto_error=False, scheme_name="bearer", description="a golive API token")


@dataclass(frozen=True)
class Principal:
    """The holder of a valid token, or a user logged in with a session (``user_id`` set)."""

    token_id: int | None
    name: str
    role: Role
    user_id: int | None = None

    @classmethod
    def of_user(cls, user: UserView) -> Principal:
        return cls(token_id=None, name=user.name, role=user.role, user_id=user.id)

    @property
    def via(self) -> Literal["token", "session"]:
        return "token" if self.user_id is None else "session"

    @property
    def rate_key(self) -> str:
        return f"token:{self.token_id}" if self.user_id is None else f"user:{self.user_id}"

    @property
    def actor(self) -> str:
        """How this principal is named in what it creates (silences, acknowledgements):
        ``token:NAME`` or ``user:NAME``."""
        return f"token:{self.name}" if self.user_id is None else f"user:{self.name}"


class LoginRequired(HTTPException):
    """Nobody is logged in: a 303 to the login page, which comes back to ``next``."""

    def __init__(self, next_path: str) -> None:
        location = "/login?" + urlencode({"next": next_path})
        super().__init__(status_code=303, detail="log in first", headers={"Location": location})


class PageForbidden(HTTPException):
    """The logged-in principal's role is below what a page needs."""

    def __init__(self, principal: Principal, needed: Role) -> None:
        super().__init__(status_code=403, detail=f"this needs the {needed} role or above")
        self.principal = principal
        self.needed = needed


def bearer_token(credentials: str) -> str | None:
    """The token of an ``Authorization`` value, or None when it is not a bearer token."""
    scheme, _, token = credentials.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def get_runtime(request: Request) -> Runtime:
    return cast(Runtime, request.app.state.runtime)


def current_principal(connection: HTTPConnection) -> Principal | None:
    """Who the request is authenticated as, if anyone (templates may show it)."""
    state: dict[str, Any] = connection.scope.get("state") or {}
    principal = state.get(AUTH_STATE)
    return principal if isinstance(principal, Principal) else None


def require(role: Role) -> Callable[..., Awaitable[Principal]]:
    """An API dependency that answers 401 without a valid token or session and 403 below
    ``role``, as JSON."""

    async def dependency(
        request: Request,
        _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    ) -> Principal:
        principal = current_principal(request)
        if principal is None:
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


def require_page(role: Role) -> Callable[..., Awaitable[Principal]]:
    """A page dependency: ``LoginRequired`` (303 to the login page) when nobody is logged in,
    ``PageForbidden`` (a 403 page) below ``role``."""

    async def dependency(request: Request) -> Principal:
        principal = current_principal(request)
        if principal is None:
            query = request.url.query
            raise LoginRequired(request.url.path + (f"?{query}" if query else ""))
        if principal.via != "session":
            # A leaked token must not become a login (POST /users) or read the token list:
            # revoking the token would not end what it had done through the dashboard.
            raise HTTPException(status_code=403, detail=SESSION_ONLY)
        if not role_allows(principal.role, role):
            raise PageForbidden(principal, role)
        return principal

    dependency.__name__ = f"require_page_{role}"
    return dependency


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Viewer = Annotated[Principal, Depends(require("viewer"))]
Operator = Annotated[Principal, Depends(require("operator"))]
Admin = Annotated[Principal, Depends(require("admin"))]
PageUser = Annotated[Principal, Depends(require_page("viewer"))]
PageOperator = Annotated[Principal, Depends(require_page("operator"))]
PageAdmin = Annotated[Principal, Depends(require_page("admin"))]
