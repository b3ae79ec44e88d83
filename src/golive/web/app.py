"""The app factory: ``create_app(runtime)`` builds the FastAPI app that `golive serve` runs."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

import golive
from golive.config.model import RateLimitsConfig
from golive.exceptions import StoreError
from golive.web import api, errors, login, pages, system
from golive.web.audit import AuditMiddleware
from golive.web.checks_now import LiveChecks
from golive.web.credentials import AuthenticationMiddleware
from golive.web.csrf import CSRFMiddleware
from golive.web.pages.dashboard import OverviewPages
from golive.web.pings import PingMiddleware
from golive.web.ratelimit import (
    Budgets,
    MemoryBudgets,
    RateLimitMiddleware,
    RateLimits,
    Rule,
)
from golive.web.runtime import Runtime
from golive.web.security import SecurityHeadersMiddleware
from golive.web.session import VerifiedSessions

log = logging.getLogger("golive.web")

DESCRIPTION = """The JSON API of `golive serve`.

Every route but `/healthz` needs `Authorization: Bearer <token>` (`golive token create`):
viewers read, operators also silence and acknowledge, admins also manage tokens and reload.
Answers carry `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; 429 comes with
`Retry-After`. Every error is `{"type", "detail"}` (the `ErrorBody` schema), and a 422 lists its `problems`."""


def create_app(
    runtime: Runtime, *, limits: RateLimits | None = None, budgets: Budgets | None = None
) -> FastAPI:
    """The web app over ``runtime``; ``limits`` defaults to ``server.rate_limits`` (600/min
    per token or signed-in user, 60/min per IP without credentials, 10 failed
    authentications/min per IP unless configured); their counts, and the login attempts', live
    in ``budgets`` (this process's memory unless given one that replicas share)."""
    app = FastAPI(
        title="golive",
        version=golive.__version__,
        description=DESCRIPTION,
        openapi_url=None,  # served by system.openapi, behind a token
        docs_url=None,  # the interactive docs need scripts the CSP forbids
        redoc_url=None,
        generate_unique_id_function=operation_id,
        # golive exports no OpenTelemetry: without this FastAPI asks OpenTelemetry's providers
        # (environment variables included) whether to trace, on every request (~5% of a ping)
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    budgets = budgets or MemoryBudgets(runtime.clock)
    app.state.runtime = runtime
    app.state.pages = pages.environment()
    app.state.status_data = status_data = pages.StatusData()
    app.state.checks_now = LiveChecks()
    app.state.overview = OverviewPages()
    app.mount("/static", pages.static_files(), name="static")
    # The pages first, the dashboard's overview the very first: each request is matched
    # against the routes in this order, and the overview is the most asked (no path overlaps).
    for router in [*pages.routers(status_data), *api.routers()]:
        app.include_router(router)
    app.include_router(system.build())
    app.add_exception_handler(StoreError, _store_unavailable)
    errors.install(app)  # 422s and other errors quote little of the request
    login.install(app, budgets=budgets)  # /login, /logout, the 403 page of PageUser
    # Added innermost first, so a request meets them in the reverse order: security headers
    # (on every answer), authentication (who: token or session), the audit log (it names the
    # credential of each action, refused ones too), rate limits (the budget is the principal's),
    # CSRF (it needs to know a session from a token).
    app.add_middleware(CSRFMiddleware)
    limits = limits or configured_limits(runtime.loaded.config.server.rate_limits)
    app.add_middleware(RateLimitMiddleware, limits=limits, budgets=budgets)
    app.add_middleware(AuditMiddleware)
    app.state.verified_sessions = verified = VerifiedSessions(runtime.clock)
    app.add_middleware(AuthenticationMiddleware, runtime=runtime, verified=verified)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(
        PingMiddleware, runtime=runtime, budgets=budgets
    )  # outermost: pings skip the rest
    return app


def operation_id(route: APIRoute) -> str:
    """An operation's id in the OpenAPI document (and its links): its function's name."""
    return route.name


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
    return errors.error_response(503, "store unavailable")
