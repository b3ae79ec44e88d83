"""The login page: ``GET /login``, ``POST /login``, ``POST /logout``, and the 403 page of pages.

``GET /login?next=/path`` shows the form (name, password, hidden ``csrf_token`` and ``next``);
with a live session already, it is a 303 to ``next``.

``POST /login`` checks, in order: where it comes from and its CSRF token (``CSRFMiddleware``
checks both, the token as a credential form's: a stale form is shown again, 403), the attempt
budget (429 with ``Retry-After``, the password unchecked), then the name and password (argon2,
in a worker thread). Any failure shows the form again with "Wrong name or password." and 401:
the same words and status whether the name is unknown, removed, or the password wrong, in about
the same time (see ``golive.accounts.authenticate``). A success revokes the session the
browser had, if any, starts a new one (a fresh token, so no session fixation), sets the cookie,
drops the login CSRF cookie, deletes expired sessions, and answers 303 to ``next``.

``POST /logout`` revokes the session (the CSRF middleware wants its token), clears the cookie
and answers 303 to ``/login``.

Attempt budget (``LoginLimits``): failed attempts per client IP (10 per 15 min) and per name
(5 per 15 min, case-folded, counted for names that do not exist too, so a refusal says nothing
about existence), in fixed windows kept in the app's ``golive.web.ratelimit.Budgets``. An
attempt in flight counts as a failure until it ends, so parallel guesses cannot get past the
budget. The per-name budget lets someone keep a name out of the web login, 15 min at a
time; tokens and the CLI (``golive user passwd``) still work.

``next`` is followed only when it is a path of this site: one leading ``/``, no ``//`` or
``\\``, no control characters, at most 2000 characters, not the login page itself; anything
else becomes ``/``.

The page has its own CSP (``LOGIN_CSP``): its stylesheet ``/static/golive.css`` and form posts
to this origin, nothing else (no scripts, no inline styles). ``PageForbidden`` (raised by
``PageUser`` and friends) renders the same template as a 403 page: who is signed in, which role
the page needs, and a logout button.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from golive import accounts
from golive.store import users
from golive.web.auth import PageForbidden, current_principal, get_runtime
from golive.web.csrf import clear_login_cookie, csrf_token, refusal
from golive.web.ratelimit import Budgets, Decision, Rule
from golive.web.session import (
    clear_session_cookie,
    current_session,
    is_https,
    set_session_cookie,
    verified_sessions,
)

log = logging.getLogger("golive.web")

TEMPLATES = Path(__file__).parent / "templates"
LOGIN_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
WRONG = "Wrong name or password."
MAX_NEXT = 2000
PER_IP = Rule(10, 15 * 60)
PER_NAME = Rule(5, 15 * 60)


@dataclass(frozen=True)
class LoginLimits:
    """Failed login attempts allowed per client IP and per name."""

    per_ip: Rule = PER_IP
    per_name: Rule = PER_NAME


class LoginGuard:
    """The attempt budget: ``admit`` before checking a password, ``done`` after."""

    def __init__(self, limits: LoginLimits, *, budgets: Budgets) -> None:
        self.rules = (limits.per_ip, limits.per_name)
        self.budgets = budgets
        self._in_flight: Counter[str] = Counter()

    async def admit(self, ip: str, name: str) -> Decision | None:
        """None when the attempt may go ahead (and is now in flight), else the refusal."""
        keys = _keys(ip, name)
        self._in_flight.update(keys)  # before any await: parallel attempts see each other
        try:
            for rule, key in zip(self.rules, keys, strict=True):
                decision = await self.budgets.peek(key, rule)
                if decision.remaining - (self._in_flight[key] - 1) <= 0:
                    self._release(keys)
                    return Decision(False, decision.limit, 0, decision.reset_s)
        except BaseException:
            self._release(keys)
            raise
        return None

    async def done(self, ip: str, name: str, *, failed: bool) -> None:
        keys = _keys(ip, name)
        try:
            if failed:  # counted before the attempt leaves the flight: no gap between them
                for rule, key in zip(self.rules, keys, strict=True):
                    await self.budgets.hit(key, rule)
        finally:
            self._release(keys)

    def _release(self, keys: tuple[str, str]) -> None:
        self._in_flight.subtract(keys)
        self._in_flight += Counter()  # drops the keys that reached zero


def _keys(ip: str, name: str) -> tuple[str, str]:
    return f"login-ip:{ip}", f"login-name:{name.casefold()[:200]}"


def safe_next(value: str | None) -> str:
    """``value`` when it is a path of this site (see the module docstring), else ``/``."""
    if (
        not value
        or len(value) > MAX_NEXT
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)
        or value == "/login"
        or value.startswith(("/login?", "/login/", "/logout"))
    ):
        return "/"
    return value


def install(app: FastAPI, *, budgets: Budgets, limits: LoginLimits | None = None) -> None:
    """Add the login routes and the 403 page to ``app``; the attempt budgets' counts live in
    ``budgets``."""
    templates = Jinja2Templates(directory=TEMPLATES)
    templates.env.globals["csrf_token"] = csrf_token
    guard = LoginGuard(limits or LoginLimits(), budgets=budgets)

    def page(request: Request, status: int, **context: Any) -> Response:
        context = {"forbidden": False, "error": None, "name": "", "next": "/", **context}
        response = templates.TemplateResponse(request, "login.html", context, status_code=status)
        response.headers["Content-Security-Policy"] = LOGIN_CSP
        return response

    async def login_form(request: Request, next: str = "/") -> Response:
        if current_session(request) is not None:
            return RedirectResponse(safe_next(next), status_code=303)
        return page(request, 200, next=safe_next(next))

    async def login(request: Request) -> Response:
        async with request.form(max_files=0, max_fields=10) as form:
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
        name, password = fields.get("name", "").strip(), fields.get("password", "")
        target = safe_next(fields.get("next"))
        again = {"name": name[:100], "next": target}
        if refusal(request) is not None:  # CSRFMiddleware checked its token
            return page(request, 403, error="This form has expired; please try again.", **again)
        ip = request.client.host if request.client else "unknown"
        refused = await guard.admit(ip, name)
        if refused is not None:
            minutes = math.ceil(refused.reset_s / 60)
            response = page(
                request, 429, error=f"Too many attempts; try again in {minutes} min.", **again
            )
            response.headers["Retry-After"] = str(refused.reset_s)
            return response
        runtime = get_runtime(request)
        user = None
        try:
            if len(password) <= accounts.MAX_PASSWORD:
                user = await run_in_threadpool(accounts.authenticate, runtime.store, name, password)
        finally:
            await guard.done(ip, name, failed=user is None)
        if user is None:
            log.warning("failed login for %r from %s", name[:100], ip)
            return page(request, 401, error=WRONG, **again)
        now = runtime.clock.now()
        previous = current_session(request)
        if previous is not None:
            verified_sessions(request).forget(previous.id)
            await run_in_threadpool(users.revoke_session, runtime.store, previous.id, now)
        await run_in_threadpool(users.purge_sessions, runtime.store, now)
        issued = await run_in_threadpool(accounts.create_session, runtime.store, user, now)
        log.info("%s logged in from %s", user.name, ip)
        response = RedirectResponse(target, status_code=303)
        set_session_cookie(response, issued.token, secure=is_https(request))
        clear_login_cookie(response, request)
        return response

    async def logout(request: Request) -> Response:
        session = current_session(request)
        if session is not None:
            runtime = get_runtime(request)
            verified_sessions(request).forget(session.id)
            await run_in_threadpool(
                users.revoke_session, runtime.store, session.id, runtime.clock.now()
            )
        response = RedirectResponse("/login", status_code=303)
        clear_session_cookie(response, secure=is_https(request))
        return response

    async def forbidden(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageForbidden)
        principal = current_principal(request) or exc.principal
        return page(request, 403, forbidden=True, principal=principal, needed=exc.needed)

    router = APIRouter(include_in_schema=False)
    router.add_api_route("/login", login_form, methods=["GET"], response_class=Response)
    router.add_api_route("/login", login, methods=["POST"], response_class=Response)
    router.add_api_route("/logout", logout, methods=["POST"], response_class=Response)
    app.include_router(router)
    app.add_exception_handler(PageForbidden, forbidden)
