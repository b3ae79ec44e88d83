"""Web: the FastAPI app of `golive serve` — the JSON API under ``/api/``, ``/metrics``,
``/healthz``, bearer-token auth with roles, security headers and rate limits.

Thin by rule: routes call domain and store functions and shape their answers; nothing here is
needed by the CLI. ``create_app(runtime)`` builds everything per app (routers, limiter state);
the process it runs in is described by the ``Runtime`` protocol.
"""

from golive.web.app import create_app
from golive.web.auth import Principal
from golive.web.runtime import ReloadOutcome, ReloadResult, Runtime
from golive.web.security import RateLimiter, RateLimits, Rule

__all__ = [
    "Principal",
    "RateLimiter",
    "RateLimits",
    "ReloadOutcome",
    "ReloadResult",
    "Rule",
    "Runtime",
    "create_app",
]
