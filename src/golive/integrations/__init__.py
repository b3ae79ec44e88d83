"""Code users add to *their* app so golive can watch it from inside: a health endpoint and
request metrics.

- ``golive.integrations.health``: ``Health`` runs the app's component checks (database, cache,
  memory, disk, or any callable) and answers ``200`` healthy or ``503`` degraded with each
  component's detail; ``HealthASGI`` (Starlette, FastAPI), ``HealthWSGI`` / ``with_health``
  (Flask, any WSGI app) and ``django_view`` serve it.
- ``golive.integrations.metrics``: ``RequestMetrics`` (``http_request_duration_seconds`` and
  ``http_requests_total`` by route template, method and status), ``MetricsASGI`` and
  ``MetricsWSGI`` middleware that record them, ``metrics_asgi`` / ``metrics_wsgi`` for
  ``/metrics``.

Nothing here imports the rest of golive, and each framework or client library is imported only
where it is used: an app adds golive to its dependencies for these modules alone.
"""

from __future__ import annotations
