"""Security headers on every response, and a JSON 500 (with them) for an unhandled error.

A plain ASGI middleware, so that it also covers 404s, 422s, 429s and errors: every response
carries a strict Content-Security-Policy, ``nosniff``, ``DENY`` framing and ``no-referrer``;
``Cache-Control: no-store`` unless the route set its own; HSTS when the request came over HTTPS
(behind a proxy, the server must be told to trust its forwarded scheme). A route may send its
own ``Content-Security-Policy`` or ``Cache-Control`` (pages relax the policy per route); the
other headers are always replaced.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from golive.web.errors import error_response

CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
HSTS = "max-age=63072000; includeSubDomains"
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
DEFAULTS = {"Content-Security-Policy": CSP, "Cache-Control": "no-store"}


class SecurityHeadersMiddleware:
    """Adds the security headers; answers an unhandled error with a JSON 500 that has them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers.update(ALWAYS)
                for name, value in DEFAULTS.items():
                    if name not in headers:
                        headers[name] = value
                if https:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                error = error_response(500, "internal server error")
                await error(scope, receive, send_with_headers)
            raise  # the server logs it; the client already has its answer
