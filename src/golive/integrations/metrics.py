"""Request metrics in Prometheus form, by route *template* (``/api/items/{id}``), method and
status: the histogram ``http_request_duration_seconds`` (what golive's ``metrics:`` sources
scrape) and the counter ``http_requests_total``.

Each ``RequestMetrics`` has its own registry unless given one, so two apps in one process (or
two tests) never share counts. A path no route matches is labelled ``<unmatched>``: a scanner
walking random paths cannot grow the label set.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.25, 0.3, 0.5, 1.0, 2.5, 5.0)
UNMATCHED = "<unmatched>"
LABELS = ("route", "method", "status")
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class RequestMetrics:
    """The two request metrics on ``registry`` (a new one when not given)."""

    def __init__(
        self, registry: CollectorRegistry | None = None, *, buckets: Sequence[float] = BUCKETS
    ) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self.registry = registry if registry is not None else CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "http_requests_total", "HTTP requests answered.", LABELS, registry=self.registry
        )
        self.duration = Histogram(
            "http_request_duration_seconds",
            "Time from request received to response sent.",
            LABELS,
            buckets=tuple(buckets),
            registry=self.registry,
        )

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        labels = {"route": route, "method": method, "status": str(status)}
        self.requests.labels(**labels).inc()
        self.duration.labels(**labels).observe(seconds)

    def exposition(self) -> bytes:
        """Everything on the registry in the Prometheus text format."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry)
