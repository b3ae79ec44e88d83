"""Login sessions on the web: the ``golive_session`` cookie and the middleware that reads it.

The cookie carries the session's token (``golive.store.users`` keeps only its SHA-256):
- ``HttpOnly``: scripts never see it;
- ``Secure`` when the request came over HTTPS (behind a proxy, the server must be told to trust
  its forwarded scheme, as for HSTS), so it never travels in clear once HTTPS is used;
- ``Path=/`` and ``Max-Age`` the absolute lifetime (7 d); the server ends it earlier when idle;
- ``SameSite=Lax``: the browser sends it with same-site requests and with top-level GET
  navigations from elsewhere, never with a cross-site POST, frame or image. ``Strict`` would
  drop it on that first navigation too: following a link from a chat or mail notification to
  an alert would land on the login page (and the redirect chain would not carry the cookie
  either) although the user is logged in. Lax costs no safety here because no GET changes
  state and every state change made with a session needs a CSRF token (``golive.web.csrf``).

``SessionMiddleware`` looks the cookie up once per request that has no ``Authorization``
header (when both are sent, the bearer token decides and the cookie is ignored) and leaves the
``Principal`` in ``scope["state"][AUTH_STATE]`` and the ``SessionView`` in
``scope["state"][SESSION_STATE]``. An unknown, expired or revoked cookie leaves nobody
authenticated: API routes answer 401, pages redirect to the login page. Paths that need nobody
(``PUBLIC``: static files, ``/healthz``) are not looked up, which saves a query per stylesheet.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, cookie_parser
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from golive.exceptions import StoreError
from golive.store.users import ABSOLUTE_TIMEOUT, SessionView, verify_session
from golive.web.auth import Principal
from golive.web.runtime import Runtime
from golive.web.security import AUTH_STATE

SESSION_COOKIE = "golive_session"
SESSION_STATE = "golive.session"  # scope["state"] key: the SessionView of a session request
PUBLIC = ("/static/", "/healthz")  # path prefixes served to anyone: no session lookup


class SessionMiddleware:
    """Authenticates requests without ``Authorization`` by their session cookie."""

    def __init__(self, app: ASGIApp, *, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(PUBLIC):
            headers = Headers(scope=scope)
            token = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
            if token and "authorization" not in headers:
                runtime = self.runtime
                try:
                    view = await run_in_threadpool(
                        verify_session, runtime.store, token, runtime.clock.now()
                    )
                except StoreError:
                    unavailable = JSONResponse({"detail": "store unavailable"}, status_code=503)
                    await unavailable(scope, receive, send)
                    return
                if view is not None:
                    state = scope.setdefault("state", {})
                    state[AUTH_STATE] = Principal.of_user(view.user)
                    state[SESSION_STATE] = view
        await self.app(scope, receive, send)


def current_session(connection: HTTPConnection) -> SessionView | None:
    """The live session the request was authenticated by, if any."""
    state: dict[str, Any] = connection.scope.get("state") or {}
    view = state.get(SESSION_STATE)
    return view if isinstance(view, SessionView) else None


def is_https(connection: HTTPConnection) -> bool:
    return connection.scope.get("scheme") == "https"


def set_session_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(ABSOLUTE_TIMEOUT.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, *, secure: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="lax")
