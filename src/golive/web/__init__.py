"""Web: the FastAPI app of `golive serve` — the JSON API under ``/api/``, ``/metrics``,
``/healthz``, bearer-token auth with roles, security headers and rate limits.

Thin by rule: routes call domain and store functions and shape their answers; nothing here is
needed by the CLI. ``create_app(runtime)`` builds everything per app (routers, limiter state);
the process it runs in is described by the ``Runtime`` protocol.
"""

from golive.web.app import create_app
from golive.web.auth import Principal
from golive.web.ratelimit import Budgets, MemoryBudgets, RateLimiter, RateLimits, Rule
from golive.web.runtime import ReloadOutcome, ReloadResult, Runtime, StoreWrites

__all__ = [
    "Budgets",
    "MemoryBudgets",
    "Principal",
    "RateLimiter",
    "RateLimits",
    "ReloadOutcome",
    "ReloadResult",
    "Rule",
    "Runtime",
    "StoreWrites",
    "create_app",
]
