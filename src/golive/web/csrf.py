"""CSRF protection for whatever a browser does with a login session.

Tokens (synchronizer pattern). A session's token is
``base64url(HMAC-SHA256(session.csrf_secret, "golive-csrf:session"))``: one per session, valid
while it lives, useless after logout. Before anyone is logged in (the login form), the secret is
a ``golive_csrf`` cookie instead (32 random bytes, HttpOnly, SameSite=Strict, Secure over HTTPS,
gone when the browser closes) and the purpose ``login``, so a forged login (into the attacker's
account) fails too; the middleware sets that cookie the first time ``csrf_token`` needs it.
Tokens are compared in constant time.

Checks. ``CSRFMiddleware`` looks at every request but GET, HEAD, OPTIONS and TRACE that has no
``Authorization`` header, so that no route can forget it:
1. where it comes from: ``Sec-Fetch-Site``, when sent, must be ``same-origin`` or ``none``;
   ``Origin``, when sent and not ``null``, must name this server's own host (the ``Host``
   header; default ports ignored); else ``Referer``, when sent, likewise. ``Origin: null`` is
   no reason to refuse: our ``Referrer-Policy: no-referrer`` makes browsers send exactly that
   with our own form posts, and the token below still has to be right;
2. when the request is authenticated by a session, the session's token, in the
   ``X-CSRF-Token`` header or the ``csrf_token`` field of a form body (URL-encoded or multipart;
   read up to ``MAX_FORM_BYTES`` and handed on to the route unchanged).
Bearer-token requests are exempt: browsers never add ``Authorization`` on their own (and the
dashboard's routes refuse tokens). A request with neither header nor live session has no
credentials a forger could ride on and goes on to its route (the API answers 401), except on
the forms that create credentials (``CREDENTIAL_FORMS``: the login form), whose token is checked
with or without a session; the route asks ``refusal(request)`` and shows its own page. A
refusal is 403 ``{"detail": ...}`` (413 for a form body over the limit).

Templates call ``csrf_token(request)`` (register it as a Jinja2 global,
``env.globals["csrf_token"] = csrf_token``) for a hidden ``csrf_token`` field, or for a
``<meta>`` from which scripts copy it into ``X-CSRF-Token``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as MalformedBody
from starlette.formparsers import MultiPartException
from starlette.requests import HTTPConnection, cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from golive.web.errors import error_response
from golive.web.session import current_session, is_https

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
LOGIN_COOKIE = "golive_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
MAX_FORM_BYTES = 1024 * 1024
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
MISSING = f"a valid CSRF token is required: the {FIELD} form field or the {HEADER} header"
CREDENTIAL_FORMS = frozenset({"/login"})
_NEW_SECRET = "golive.csrf.new"  # scope["state"] key: a login secret to set as a cookie
_VERDICT = "golive.csrf.verdict"  # scope["state"] key: the check of a credential form
_SECRET = re.compile(r"[0-9a-f]{64}")
_DEFAULT_PORTS = {"http": ":80", "https": ":443", "ws": ":80", "wss": ":443"}


def csrf_token(request: HTTPConnection) -> str:
    """The CSRF token a form or script of this request's page must send back."""
    session = current_session(request)
    if session is not None:
        return _token(session.csrf_secret, "session")
    return _token(_login_secret(request.scope), "login")


def token_is_valid(request: HTTPConnection, given: str | None) -> bool:
    """Whether ``given`` is the request's CSRF token (session, else login cookie)."""
    if not given:
        return False
    session = current_session(request)
    if session is not None:
        expected = _token(session.csrf_secret, "session")
    else:
        secret = request.cookies.get(LOGIN_COOKIE, "")
        if not _SECRET.fullmatch(secret):
            return False
        expected = _token(secret, "login")
    return hmac.compare_digest(given.encode(), expected.encode())


def cross_site(scope: Scope) -> str | None:
    """Why a state-changing request looks cross-site, or None when it does not."""
    headers = Headers(scope=scope)
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return f"cross-site request refused (Sec-Fetch-Site: {fetch_site})"
    own = _host(headers.get("host", ""), str(scope.get("scheme", "http")))
    origin = headers.get("origin")
    if origin is not None and origin != "null":
        return None if _origin_host(origin) == own else "cross-origin request refused (Origin)"
    referer = headers.get("referer")
    if referer is not None and _origin_host(referer) != own:
        return "cross-origin request refused (Referer)"
    return None


def refusal(request: HTTPConnection) -> str | None:
    """Why ``CSRFMiddleware`` refused this request of a credential form (``CREDENTIAL_FORMS``),
    or None when it passed; a request the middleware did not check is refused."""
    state: dict[str, Any] = request.scope.get("state") or {}
    verdict = state.get(_VERDICT, MISSING)
    return verdict if verdict is None or isinstance(verdict, str) else MISSING


class CSRFMiddleware:
    """Enforces the checks above; sets the login CSRF cookie when a page needed one.
    ``credential_forms``: paths checked without a session too, whose routes answer the refusal
    themselves (``refusal``)."""

    def __init__(self, app: ASGIApp, *, credential_forms: Collection[str] = CREDENTIAL_FORMS):
        self.app = app
        self.credential_forms = credential_forms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        headers = Headers(scope=scope)
        if scope["method"] not in SAFE_METHODS and "authorization" not in headers:
            reason = cross_site(scope)
            if reason is not None:
                await _refuse(scope, receive, send, reason, 403)
                return
            session = current_session(HTTPConnection(scope))
            if session is not None or scope["path"] in self.credential_forms:
                refused, receive = await _check_token(scope, receive, headers)
                if refused is not None and (session is not None or refused[1] != 403):
                    await _refuse(scope, receive, send, *refused)
                    return
                state[_VERDICT] = None if refused is None else refused[0]

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and _NEW_SECRET in state:
                cookie = _login_cookie(state[_NEW_SECRET], secure=scope.get("scheme") == "https")
                MutableHeaders(scope=message).append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


async def _check_token(
    scope: Scope, receive: Receive, headers: Headers
) -> tuple[tuple[str, int] | None, Receive]:
    """The token check: ``X-CSRF-Token``, else a form's ``csrf_token`` field. Answers the
    refusal (reason, status) or None, and the ``receive`` to go on with."""
    given = headers.get(HEADER)
    if given is None and _media_type(headers) in FORMS:
        body = await _read_body(scope, receive, headers)
        if body is None:
            return ("form body too large", 413), receive
        given = await _form_field(scope, body)
        receive = _replay(body, receive)
    if not token_is_valid(HTTPConnection(scope), given):
        return (MISSING, 403), receive
    return None, receive


def clear_login_cookie(response: Response, request: HTTPConnection) -> None:
    """Drop the login CSRF cookie (after a login: the session's secret takes over)."""
    if LOGIN_COOKIE in request.cookies:
        response.delete_cookie(
            LOGIN_COOKIE, path="/", secure=is_https(request), httponly=True, samesite="strict"
        )


def _token(secret: str, purpose: str) -> str:
    digest = hmac.new(secret.encode(), f"golive-csrf:{purpose}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def _login_secret(scope: Scope) -> str:
    state: dict[str, Any] = scope.setdefault("state", {})
    secret = state.get(_NEW_SECRET)
    if secret is None:
        cookies = cookie_parser(Headers(scope=scope).get("cookie", ""))
        secret = cookies.get(LOGIN_COOKIE, "")
        if not _SECRET.fullmatch(secret):
            secret = state[_NEW_SECRET] = secrets.token_hex(32)
    return str(secret)


def _login_cookie(secret: str, *, secure: bool) -> str:
    response = Response()
    response.set_cookie(
        LOGIN_COOKIE, secret, path="/", secure=secure, httponly=True, samesite="strict"
    )
    return response.headers["set-cookie"]


def _host(netloc: str, scheme: str) -> str:
    netloc = netloc.strip().lower()
    default = _DEFAULT_PORTS.get(scheme, "")
    return netloc[: -len(default)] if default and netloc.endswith(default) else netloc


def _origin_host(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in _DEFAULT_PORTS or not parts.netloc or "@" in parts.netloc:
        return None
    return _host(parts.netloc, parts.scheme)


def _media_type(headers: Headers) -> str:
    return headers.get("content-type", "").partition(";")[0].strip().lower()


async def _read_body(scope: Scope, receive: Receive, headers: Headers) -> bytes | None:
    """The whole body, or None when it is over ``MAX_FORM_BYTES``."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        return None
    chunks: list[bytes] = []
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break  # the client went away; the route will see the same
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_FORM_BYTES:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _form_field(scope: Scope, body: bytes) -> str | None:
    request = Request(scope, _replay(body, _nothing))
    try:
        async with request.form() as form:
            value = form.get(FIELD)
    except (MalformedBody, MultiPartException):  # a malformed body
        return None
    return value if isinstance(value, str) else None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once, then whatever ``receive`` gives."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


async def _refuse(scope: Scope, receive: Receive, send: Send, detail: str, status: int) -> None:
    await error_response(status, detail)(scope, receive, send)
