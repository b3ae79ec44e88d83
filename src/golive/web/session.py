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

``golive.web.credentials`` looks the cookie up (at most every ``VERIFIED_TTL`` seconds per
session, see ``VerifiedSessions``) for each request that has no ``Authorization`` header. An
unknown, expired or revoked cookie leaves nobody authenticated: API routes answer 401, pages
redirect to the login page.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import Response

from golive.accounts import ABSOLUTE_TIMEOUT
from golive.clock import Clock
from golive.store.users import SessionView

SESSION_COOKIE = "golive_session"
SESSION_STATE = "golive.session"  # scope["state"] key: the SessionView of a session request
VERIFIED_TTL = 2.0  # seconds a verified session is taken on trust (see VerifiedSessions)


class VerifiedSessions:
    """Sessions verified within the last ``ttl`` seconds, by session id (the token's hash),
    so that a browser's burst of requests costs one store lookup, not one each. A logout on
    this server forgets its session at once; a revocation elsewhere (``golive user disable``,
    another server on the same store) takes effect within ``ttl``. Only valid sessions are
    kept; at ``max_size`` the oldest half is dropped."""

    def __init__(self, clock: Clock, *, ttl: float = VERIFIED_TTL, max_size: int = 10_000) -> None:
        self.clock, self.ttl, self.max_size = clock, ttl, max_size
        self._views: dict[str, tuple[float, SessionView]] = {}

    def get(self, session_id: str) -> SessionView | None:
        kept = self._views.get(session_id)
        if kept is None:
            return None
        at, view = kept
        if self.clock.monotonic() - at >= self.ttl or self.clock.now() >= view.expires_at:
            self._views.pop(session_id, None)
            return None
        return view

    def put(self, view: SessionView) -> None:
        if len(self._views) >= self.max_size:
            for key in list(self._views)[: self.max_size // 2]:
                self._views.pop(key, None)
        self._views[view.id] = (self.clock.monotonic(), view)

    def forget(self, session_id: str) -> None:
        self._views.pop(session_id, None)

    def forget_user(self, name: str) -> None:
        """Forget every session of one user (removed, or their password changed)."""
        for session_id, (_, view) in list(self._views.items()):
            if view.user.name == name:
                self._views.pop(session_id, None)


def verified_sessions(connection: HTTPConnection) -> VerifiedSessions:
    verified: VerifiedSessions = connection.app.state.verified_sessions
    return verified


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
