"""Application factory: wires settings, database, cache, metrics and middleware."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from parkwise.cache import Cache
from parkwise.db import DatabaseError, open_database
from parkwise.metrics import Metrics, MetricsMiddleware
from parkwise.middleware import FaultInjectionMiddleware, SecurityHeadersMiddleware
from parkwise.ratelimit import FixedWindowLimiter, RateLimitMiddleware
from parkwise.routes import AppState, register_routes
from parkwise.schema import create_schema
from parkwise.settings import Settings

log = logging.getLogger("parkwise")


async def _database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database error on %s %s: %s", request.method, request.url.path, exc)
    return JSONResponse({"detail": "database unavailable"}, status_code=503)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the schema is created and Redis connected when it starts."""
    settings = settings if settings is not None else Settings.from_env()
    metrics = Metrics(settings.version)
    db = open_database(settings.database_url, settings.sqlite_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            await run_in_threadpool(create_schema, db)
        except DatabaseError as exc:
            log.error("cannot prepare the database %s: %s", db.describe(), exc)
            raise
        cache = Cache(settings.redis_url) if settings.redis_url else None
        app.state.parkwise = AppState(settings, db, cache, metrics)
        try:
            yield
        finally:
            if cache is not None:
                cache.close()
            log.info("parkwise %s stopped", settings.version)

    app = FastAPI(
        title="ParkWise",
        version=settings.version,
        debug=settings.debug,
        lifespan=lifespan,
        docs_url="/docs" if settings.debug else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.debug else None,
    )
    register_routes(app)
    app.add_exception_handler(DatabaseError, _database_unavailable)
    # Added innermost first: security headers wrap metrics, which wrap everything else.
    app.add_middleware(
        FaultInjectionMiddleware,
        error_rate=settings.error_rate,
        latency_ms=settings.latency_ms,
        seed=settings.seed,
        latency_mix=settings.latency_mix,
    )
    if settings.rate_limit is not None:
        app.add_middleware(RateLimitMiddleware, limiter=FixedWindowLimiter(settings.rate_limit))
    app.add_middleware(
        MetricsMiddleware, metrics=metrics, routes=app.router.routes, debug=settings.debug
    )
    if settings.security_headers:
        app.add_middleware(SecurityHeadersMiddleware)
    return app
