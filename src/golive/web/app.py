"""The app factory: ``create_app(runtime)`` builds the FastAPI app that `golive serve` runs."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

import golive
from golive.config.model import RateLimitsConfig
from golive.exceptions import StoreError
from golive.web import api, login, pages, system
from golive.web.auth import authenticator
from golive.web.csrf import CSRFMiddleware
from golive.web.pages.dashboard import Overview
from golive.web.runtime import Runtime
from golive.web.security import (
    RateLimitMiddleware,
    RateLimits,
    Rule,
    SecurityHeadersMiddleware,
)
from golive.web.session import SessionMiddleware, VerifiedSessions

log = logging.getLogger("golive.web")

DESCRIPTION = """The JSON API of `golive serve`.

Every route but `/healthz` needs `Authorization: Bearer <token>` (`golive token create`):
viewers read, operators also silence and acknowledge, admins also manage tokens and reload.
Answers carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; 429 comes with
`Retry-After`. Errors are `{"detail": ...}`."""


def create_app(runtime: Runtime, *, limits: RateLimits | None = None) -> FastAPI:
    """The web app over ``runtime``; ``limits`` defaults to ``server.rate_limits`` (600/min
    per token or signed-in user, 60/min per IP without credentials, 10 failed
    authentications/min per IP unless configured)."""
    app = FastAPI(
        title="golive",
        version=golive.__version__,
        description=DESCRIPTION,
        openapi_url=None,  # served by system.openapi, behind a token
        docs_url=None,  # the interactive docs need scripts the CSP forbids
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.pages = pages.environment()
    app.state.status_data = status_data = pages.StatusData()
    app.state.overview = Overview()
    app.mount("/static", pages.static_files(), name="static")
    for router in [*api.routers(), *pages.routers(status_data)]:
        app.include_router(router)
    app.include_router(system.build())
    app.add_exception_handler(StoreError, _store_unavailable)
    login.install(app, clock=runtime.clock)  # /login, /logout, the 403 page of PageUser
    # Added innermost first: the security headers wrap everything; the session is read before
    # the rate limit (a signed-in browser gets its user's budget, not the anonymous one per IP)
    # and before the CSRF checks that need it.
    app.add_middleware(CSRFMiddleware)
    app.add_middleware(
        RateLimitMiddleware,
        limits=limits or configured_limits(runtime.loaded.config.server.rate_limits),
        clock=runtime.clock,
        authenticate=authenticator(runtime),
    )
    app.state.verified_sessions = verified = VerifiedSessions(runtime.clock)
    app.add_middleware(SessionMiddleware, runtime=runtime, verified=verified)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def configured_limits(config: RateLimitsConfig) -> RateLimits:
    return RateLimits(
        token=Rule(*config.per_user),
        anonymous=Rule(*config.per_ip),
        failed_auth=Rule(*config.failed_auth),
    )


def warm_up(app: FastAPI) -> None:
    """Compute what the status page shows (90 days of rollups: about a second at 1,000 checks)
    so that its first visitor does not wait for it; call from a worker thread."""
    status_data: pages.StatusData = app.state.status_data
    try:
        status_data.current(app.state.runtime)
    except Exception as exc:  # the page's first visitor will meet it (and the log says why)
        secrets = app.state.runtime.loaded.secrets
        log.warning("status page not prepared at start: %s", secrets.redact(str(exc)))


async def _store_unavailable(request: Request, exc: Exception) -> JSONResponse:
    secrets = request.app.state.runtime.loaded.secrets
    log.error(
        "store error on %s %s: %s", request.method, request.url.path, secrets.redact(str(exc))
    )
    return JSONResponse({"detail": "store unavailable"}, status_code=503)
