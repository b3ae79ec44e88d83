"""Helpers shared by the ParkWise tests (imported by name; conftest.py holds the fixtures)."""

from __future__ import annotations

import warnings
from collections.abc import Callable

from prometheus_client.parser import text_string_to_metric_families
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette 1.x prefers the httpx2 package and warns once, at import, when it
    # falls back to httpx (which still works). httpx2 is not a dev dependency yet.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

__all__ = ["Labels", "MakeClient", "TestClient", "labels", "samples"]

MakeClient = Callable[..., TestClient]
Labels = frozenset[tuple[str, str]]


def samples(client: TestClient) -> dict[tuple[str, Labels], float]:
    """Every sample of ``GET /metrics``, keyed by name and label set."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    found: dict[tuple[str, Labels], float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            found[sample.name, frozenset(sample.labels.items())] = sample.value
    return found


def labels(route: str, method: str = "GET", status: int = 200, **extra: str) -> Labels:
    return frozenset({"route": route, "method": method, "status": str(status), **extra}.items())
