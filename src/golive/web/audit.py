"""The audit log: a line (``audit: ...``) on the ``golive.audit`` logger for every request that
may change something (any method but GET, HEAD, OPTIONS and TRACE), refused ones too: method,
path, status, which credential made it and whose (``session user:NAME``, ``token token:NAME``,
``invalid credentials`` or ``nobody``) and the client IP. No body, query or secret is logged.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from golive.web.auth import AUTH_STATE, Principal

log = logging.getLogger("golive.audit")
READS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def credential(scope: Scope) -> str:
    """Which credential the request was authenticated by, and whose."""
    state: dict[str, Any] = scope.get("state") or {}
    principal = state.get(AUTH_STATE)
    if isinstance(principal, Principal):
        return f"{principal.via} {principal.actor}"
    return "invalid credentials" if AUTH_STATE in state else "nobody"


def printable(text: str, limit: int = 300) -> str:
    """``text`` on one line (control characters escaped: a path cannot forge log lines)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])


class AuditMiddleware:
    """Logs each state-changing request once its answer has started (or it failed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in READS:
            await self.app(scope, receive, send)
            return
        status = 500  # unless an answer starts: an unhandled error

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            client = scope.get("client")
            log.info(
                "audit: %s %s %d by %s from %s",
                scope["method"],
                printable(scope["path"]),
                status,
                credential(scope),
                client[0] if client else "unknown",
            )
