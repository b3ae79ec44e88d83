"""The Prometheus text exposition format: families of samples, and the request histogram in it.

Parsing is ``prometheus_client``'s; its errors become ``SourceError`` with the line it choked
on. The request histogram is found by name (``histogram:`` on the source, else the first of
``REQUEST_HISTOGRAMS`` present), and read per label set as cumulative counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from golive.exceptions import SourceError

# Names of request-latency histograms in common instrumentation libraries, tried in order.
REQUEST_HISTOGRAMS = (
    "http_request_duration_seconds",  # prometheus_client examples, ParkWise, FastAPI/Starlette
    "http_server_request_duration_seconds",  # OpenTelemetry semantic conventions
    "http_server_requests_seconds",  # Micrometer (Spring Boot)
    "request_duration_seconds",
    "http_request_duration_ms",
)
STATUS_LABELS = ("status", "code", "status_code", "http_status_code", "http_response_status_code")


@dataclass(frozen=True)
class SeriesCounts:
    """One label set of a histogram, cumulative since the app started: ``buckets`` maps an
    upper bound in ms (``inf`` last) to the cumulative count ``le`` it."""

    labels: Mapping[str, str]
    count: float
    buckets: Mapping[float, float] = field(default_factory=dict)
    created: float | None = None  # ``NAME_created``: when the series started counting


def parse(text: str) -> list[Metric]:
    """Every metric family in ``text``; garbage raises ``SourceError``."""
    try:
        return list(text_string_to_metric_families(text))
    except Exception as exc:  # the parser raises ValueError, IndexError, TypeError, ...
        raise SourceError(f"not Prometheus text format: {_short(exc)}") from exc


def series_count(families: Sequence[Metric]) -> int:
    return sum(len(family.samples) for family in families)


def request_histogram(
    families: Sequence[Metric], name: str | None = None
) -> tuple[str, list[SeriesCounts]]:
    """The request histogram's name and its series; ``SourceError`` when there is none."""
    histograms = {f.name: f for f in families if f.type == "histogram"}
    wanted = [name] if name else list(REQUEST_HISTOGRAMS)
    for candidate in wanted:
        family = histograms.get(candidate)
        if family is not None:
            created = {
                tuple(sorted(sample.labels.items())): float(sample.value)
                for f in families
                if f.name == f"{candidate}_created"
                for sample in f.samples
            }
            series = _series(family, milliseconds=not candidate.endswith("_ms"))
            return candidate, [
                replace(one, created=created.get(tuple(sorted(one.labels.items()))))
                for one in series
            ]
    found = ", ".join(sorted(histograms)) or "none"
    looked = name or " / ".join(REQUEST_HISTOGRAMS)
    raise SourceError(f"no request histogram {looked} (histograms there: {found})")


def status_of(labels: Mapping[str, str]) -> int:
    """The HTTP status a label set names (0 when it names none, or not a number)."""
    for key in STATUS_LABELS:
        value = labels.get(key)
        if value is not None:
            digits = value[:3]
            return int(digits) if digits.isdigit() else 0
    return 0


def _series(family: Metric, *, milliseconds: bool) -> list[SeriesCounts]:
    scale = 1000.0 if milliseconds else 1.0
    grouped: dict[tuple[tuple[str, str], ...], dict[str, object]] = {}
    for sample in family.samples:
        labels = {k: v for k, v in sample.labels.items() if k != "le"}
        key = tuple(sorted(labels.items()))
        entry = grouped.setdefault(key, {"count": 0.0, "buckets": {}})
        if sample.name.endswith("_bucket"):
            bound = float(sample.labels.get("le", "+Inf"))
            upper = math.inf if math.isinf(bound) else round(bound * scale, 6)
            buckets = entry["buckets"]
            assert isinstance(buckets, dict)
            buckets[upper] = float(sample.value)
        elif sample.name.endswith("_count"):
            entry["count"] = float(sample.value)
    result = []
    for key, entry in grouped.items():
        buckets = entry["buckets"]
        count = entry["count"]
        assert isinstance(buckets, dict) and isinstance(count, float)
        if not count and buckets:
            count = float(buckets.get(math.inf, 0.0))
        result.append(SeriesCounts(dict(key), count, dict(sorted(buckets.items()))))
    return result


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
