"""A client of an existing Prometheus server's HTTP API: instant and range queries.

Answers become plain values: a vector is ``[(labels, value)]``, a matrix
``[(labels, [(time, value), ...])]``; an error (refused, timed out, HTTP error, a PromQL error,
an answer that is not Prometheus's JSON) raises ``SourceError`` with Prometheus's own message.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp

from golive.exceptions import SourceError

Vector = list[tuple[dict[str, str], float]]
Matrix = list[tuple[dict[str, str], list[tuple[datetime, float]]]]


class PrometheusClient:
    """``query`` and ``query_range`` against ``url`` (the server's base URL)."""

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    async def query(self, promql: str, *, at: datetime | None = None) -> Vector:
        """An instant query; a scalar answer is one sample without labels."""
        params = {"query": promql}
        if at is not None:
            params["time"] = _stamp(at)
        data = await self._get("/api/v1/query", params)
        kind, result = data.get("resultType"), data.get("result")
        if kind == "scalar" and isinstance(result, list):
            return [({}, _value(result[1]))]
        if kind != "vector" or not isinstance(result, list):
            raise SourceError(f"query {promql!r}: expected a vector, got {kind}")
        return [(dict(item["metric"]), _value(item["value"][1])) for item in result]

    async def query_range(
        self, promql: str, *, start: datetime, end: datetime, step: timedelta
    ) -> Matrix:
        """A range query: each series' values from ``start`` to ``end`` every ``step``."""
        params = {
            "query": promql,
            "start": _stamp(start),
            "end": _stamp(end),
            "step": f"{step.total_seconds():g}",
        }
        data = await self._get("/api/v1/query_range", params)
        if data.get("resultType") != "matrix" or not isinstance(data.get("result"), list):
            raise SourceError(f"query {promql!r}: expected a matrix")
        return [
            (
                dict(item["metric"]),
                [(datetime.fromtimestamp(float(t), UTC), _value(v)) for t, v in item["values"]],
            )
            for item in data["result"]
        ]

    async def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        url = self.url + path
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session,
                session.get(url, params=params) as response,
            ):
                try:
                    body = await response.json(content_type=None)
                except ValueError as exc:
                    raise SourceError(f"{url}: HTTP {response.status}, not JSON") from exc
        except TimeoutError as exc:
            raise SourceError(f"{url}: timed out after {self.timeout:g}s") from exc
        except aiohttp.ClientError as exc:
            raise SourceError(f"{url}: {exc or type(exc).__name__}") from exc
        if not isinstance(body, dict) or body.get("status") != "success":
            error = body.get("error") if isinstance(body, dict) else None
            raise SourceError(f"{url}: {error or 'not a Prometheus API answer'}")
        data = body.get("data")
        if not isinstance(data, dict):
            raise SourceError(f"{url}: not a Prometheus API answer")
        return data


def _stamp(moment: datetime) -> str:
    return f"{moment.timestamp():.3f}"


def _value(text: Any) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return math.nan
