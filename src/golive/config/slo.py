"""``metrics:``, ``slos:``, ``alerts:`` and ``loadtests:`` (the SLO stage)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import Field, model_validator

from golive.config.model import Model, Severity
from golive.config.units import PERCENT_SCHEMA, Duration, Link, Name, Percent, Rate

REQUEST_STATS = {
    "rate": "double: requests per second over the window",
    "count": "int: requests in the window",
    "error_rate": "double: share of requests with status >= 500 (0..1)",
    "p50_ms": "double: median latency in milliseconds",
    "p90_ms": "double: 90th percentile latency in milliseconds",
    "p95_ms": "double: 95th percentile latency in milliseconds",
    "p99_ms": "double: 99th percentile latency in milliseconds",
}


def exactly_one(model: Model, *names: str) -> None:
    """Raise unless exactly one of the fields ``names`` is set."""
    chosen = [n for n in names if getattr(model, n) is not None]
    if len(chosen) != 1:
        raise ValueError(f"expected exactly one of {', '.join(names)}; found {len(chosen)}")


LOG_FIELDS = ("time", "method", "uri", "status", "request_time", "upstream_addr")


class PrometheusScrape(Model):
    url: str
    every: Duration = timedelta(seconds=15)
    timeout: Duration = timedelta(seconds=10)
    histogram: str | None = None  # the request histogram; default: the first common name found


class AccessLog(Model):
    path: str
    format: Literal["nginx-json", "combined"] = "nginx-json"
    fields: dict[str, str] = Field(default_factory=dict)  # our field name: the log's name

    @model_validator(mode="after")
    def _known_fields(self) -> AccessLog:
        unknown = sorted(set(self.fields) - set(LOG_FIELDS))
        if unknown:
            raise ValueError(
                f"unknown field {', '.join(unknown)} in `fields` (known: {', '.join(LOG_FIELDS)})"
            )
        if self.format == "combined":
            raise ValueError("format `combined` has no request time: use nginx-json")
        return self


class PrometheusQuery(Model):
    url: str


class MetricSource(Model):
    name: Name
    prometheus: PrometheusScrape | None = None
    access_log: AccessLog | None = None
    prometheus_query: PrometheusQuery | None = None

    @property
    def kind(self) -> str:
        """prometheus, access_log or prometheus_query."""
        if self.prometheus is not None:
            return "prometheus"
        return "access_log" if self.access_log is not None else "prometheus_query"

    @model_validator(mode="after")
    def _one_source(self) -> MetricSource:
        exactly_one(self, "prometheus", "access_log", "prometheus_query")
        return self


class GoodRequest(Model):
    latency_below: Duration | None = None
    status_below: int | None = Field(default=None, ge=100, le=600)


class Ratio(Model):
    check: str
    field: str


class Sli(Model):
    check: str | None = None
    requests: str | None = None
    where: dict[str, str] = Field(default_factory=dict)
    good: GoodRequest | None = None
    ratio: Ratio | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Sli:
        exactly_one(self, "check", "requests", "ratio")
        if self.requests is not None and self.good is None:
            raise ValueError("a requests SLI needs `good` (latency_below and/or status_below)")
        return self


class Slo(Model):
    name: Name
    objective: Percent
    window: Duration = timedelta(days=30)
    sli: Sli
    description: str = ""


class AlertRule(Model):
    name: Name
    check: str | None = None
    requests: str | None = None
    slo: str | None = None
    when: str | None = None
    over: Duration | None = None
    for_: Duration = Field(default=timedelta(0), alias="for")
    burn_rate: Literal["multiwindow"] | None = None
    severity: Severity = "high"
    labels: dict[str, str] = Field(default_factory=dict)
    runbook: Link | None = None

    @model_validator(mode="after")
    def _shape(self) -> AlertRule:
        exactly_one(self, "check", "requests", "slo")
        if self.slo is None and self.when is None:
            raise ValueError("an alert on a check or requests needs `when`")
        if self.slo is not None and self.burn_rate is None and self.when is None:
            raise ValueError("an SLO alert needs `burn_rate: multiwindow` or `when`")
        return self


class LoadRequest(Model):
    name: Name
    class_: str = Field(default="default", alias="class")
    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    path: str
    json_body: Any = Field(default=None, alias="json")
    headers: dict[str, str] = Field(default_factory=dict)
    weight: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _own_host(self) -> LoadRequest:
        """A load test only ever targets its own ``base_url``: a path, never another host."""
        if not self.path.startswith("/") or self.path.startswith("//") or "://" in self.path:
            raise ValueError(
                f"path {self.path!r} must be a path on the load test's base_url (start with '/');"
                " a load test never targets another host"
            )
        return self


class SlaTarget(Model):
    p50: Duration | None = None
    p90: Duration | None = None
    p95: Duration | None = None
    p99: Duration | None = None


class LoadTest(Model):
    name: Name
    base_url: str
    rate: Rate
    duration: Duration
    requests: list[LoadRequest] = Field(min_length=1)
    sla: dict[str, SlaTarget] = Field(
        default_factory=dict,  # and sla.error_rate, lifted out below (the schema says both)
        json_schema_extra={"properties": {"error_rate": PERCENT_SCHEMA}},
    )
    error_rate: Percent | None = None
    users: int | None = Field(default=None, ge=1, le=100_000)  # closed model (the weaker one)
    think_time: Duration = timedelta(0)
    timeout: Duration = timedelta(seconds=10)
    max_rate: Rate | None = None  # the most --rate may ask; twice `rate` when unset
    max_duration: Duration | None = None  # the longest --duration; twice `duration` when unset

    @model_validator(mode="after")
    def _bounded(self) -> LoadTest:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url {self.base_url!r} must start with http:// or https://")
        if self.rate <= 0 or self.duration <= timedelta(0):
            raise ValueError("a load test needs a rate and a duration above zero")
        if self.rate > self.rate_limit:
            raise ValueError(f"rate {self.rate:g}/s is above max_rate {self.rate_limit:g}/s")
        if self.duration > self.duration_limit:
            raise ValueError("duration is above max_duration")
        classes = {r.class_ for r in self.requests}
        for klass in self.sla:
            if klass not in classes:
                raise ValueError(
                    f"sla names class {klass!r}, which no request has (classes:"
                    f" {', '.join(sorted(classes))})"
                )
        if self.think_time and self.users is None:
            raise ValueError("think_time paces `users:` (the closed model); set users or drop it")
        return self

    @property
    def rate_limit(self) -> float:
        """The highest rate (requests/s) this load test may be run at."""
        return self.max_rate if self.max_rate is not None else 2 * self.rate

    @property
    def duration_limit(self) -> timedelta:
        """The longest this load test may be run for."""
        return self.max_duration if self.max_duration is not None else 2 * self.duration

    @model_validator(mode="before")
    @classmethod
    def _sla_error_rate(cls, data: Any) -> Any:
        """``sla.error_rate`` is a percentage beside the per-class targets; lift it out."""
        if (
            isinstance(data, dict)
            and isinstance(data.get("sla"), dict)
            and "error_rate" in data["sla"]
        ):
            sla = dict(data["sla"])
            data = {**data, "sla": sla, "error_rate": sla.pop("error_rate")}
        return data
