"""Authentication, in one place: the middleware that says who each request is.

With ``Authorization``, the bearer token decides (a session cookie sent along is ignored);
without it, the ``golive_session`` cookie does (a session verified within ``VERIFIED_TTL`` is
taken on trust, see ``golive.web.session.VerifiedSessions``). The ``Principal`` goes to
``scope["state"][AUTH_STATE]`` (None there: the token sent is not valid) and a session's
``SessionView`` to ``scope["state"][SESSION_STATE]``. Routes then check roles
(``golive.web.auth``), the rate limits pick the budget, and the CSRF checks know a session from
a token. Paths that need nobody (``PUBLIC``: static files, ``/healthz``) are not looked up,
which saves a query per stylesheet. A store that fails here answers 503.
"""

from __future__ import annotations

import asyncio

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from golive.accounts import hash_session_token, verify_session
from golive.exceptions import StoreError
from golive.store.tokens import verify_token
from golive.store.users import SessionView
from golive.web.auth import AUTH_STATE, Principal, bearer_token
from golive.web.errors import error_response
from golive.web.runtime import Runtime
from golive.web.session import SESSION_COOKIE, SESSION_STATE, VerifiedSessions

PUBLIC = ("/static/", "/healthz")  # path prefixes served to anyone: nobody is looked up


class AuthenticationMiddleware:
    """Authenticates each request by its bearer token, else by its session cookie."""

    def __init__(self, app: ASGIApp, *, runtime: Runtime, verified: VerifiedSessions) -> None:
        self.app = app
        self.runtime = runtime
        self.verified = verified
        self._verifying: dict[str, asyncio.Future[SessionView | None]] = {}  # by session id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(PUBLIC):
            headers = Headers(scope=scope)
            state = scope.setdefault("state", {})
            try:
                if "authorization" in headers:
                    state[AUTH_STATE] = await self.token(headers["authorization"])
                else:
                    cookie = cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE)
                    view = await self.session(cookie) if cookie else None
                    if view is not None:
                        state[AUTH_STATE] = Principal.of_user(view.user)
                        state[SESSION_STATE] = view
            except StoreError:
                unavailable = error_response(503, "store unavailable")
                await unavailable(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def token(self, authorization: str) -> Principal | None:
        """The holder of a valid bearer token, else None."""
        token = bearer_token(authorization)
        if token is None:
            return None
        runtime = self.runtime
        view = await run_in_threadpool(verify_token, runtime.store, token, runtime.clock.now())
        return None if view is None else Principal(view.id, view.name, view.role)

    async def session(self, cookie: str) -> SessionView | None:
        """The live session of a ``golive_session`` cookie, else None. Requests that find
        the same session's trust expired at once share one lookup (a browser's, or a load
        test's, burst used to send one each to the thread pool)."""
        session_id = hash_session_token(cookie)
        view = self.verified.get(session_id)
        if view is not None:
            return view
        running = self._verifying.get(session_id)
        if running is not None and running.get_loop() is asyncio.get_running_loop():
            return await asyncio.shield(running)
        runtime = self.runtime
        task = asyncio.ensure_future(
            run_in_threadpool(verify_session, runtime.store, cookie, runtime.clock.now())
        )
        self._verifying[session_id] = task
        try:
            view = await asyncio.shield(task)
        finally:
            self._verifying.pop(session_id, None)
        if view is not None:
            self.verified.put(view)
        return view
