"""The base of every config model, and the small shared pieces (severity, server, components)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from golive.config.units import Budget, Duration, Name

Severity = Literal["critical", "high", "medium", "low"]
BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "sqla+postgresql")
SEVERITIES: tuple[Severity, ...] = ("critical", "high", "medium", "low")


class Model(BaseModel):
    """Config models reject unknown keys and never change after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Component(Model):
    name: str = Field(min_length=1)
    description: str = ""


class StatusPage(Model):
    title: str = "Status"
    public: bool = True


class Retention(Model):
    """How long `golive serve` keeps what it measures."""

    evidence: Duration = timedelta(hours=48)
    minute_rollups: Duration = timedelta(days=14)
    hour_rollups: Duration = timedelta(days=400)
    alerts: Duration = timedelta(days=90)
    notifications: Duration = timedelta(days=30)
    silences: Duration = timedelta(days=90)
    requests: Duration = timedelta(days=35)  # metrics sources' per-minute request histograms


class RateLimitsConfig(Model):
    """Request budgets of golive's own web server, per fixed window (read at start).
    ``shared``: a Redis URL where web replicas (`golive serve --role web`) count the budgets
    together; unset, they use ``workers.broker`` when it is a Redis URL."""

    per_user: Budget = (600, 60.0)
    per_ip: Budget = (60, 60.0)
    failed_auth: Budget = (10, 60.0)
    shared: str | None = None

    @field_validator("shared")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is not None and value.partition("://")[0] not in ("redis", "rediss", "unix"):
            raise ValueError("expected a Redis URL (redis://, rediss:// or unix://)")
        return value


class ServerTls(Model):
    """Serve the API over HTTPS (PEM files, relative to the config file's folder)."""

    cert: str = Field(min_length=1)
    key: str = Field(min_length=1)


class Server(Model):
    listen: str = "127.0.0.1:8080"
    public_url: str | None = None
    status_page: StatusPage = StatusPage()
    retention: Retention = Retention()
    rate_limits: RateLimitsConfig = RateLimitsConfig()
    tls: ServerTls | None = None

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"expected HOST:PORT such as 127.0.0.1:8080, got {value!r}")
        return value

    @property
    def host(self) -> str:
        return self.listen.rpartition(":")[0].strip("[]")

    @property
    def port(self) -> int:
        return int(self.listen.rpartition(":")[2])


class Workers(Model):
    """Celery workers that probe from several regions (the scale stage)."""

    broker: str | None = None
    regions: list[Name] = Field(default_factory=list)

    @property
    def probing(self) -> bool:
        """Whether checks run on workers (a broker and regions); a broker alone may only share
        the web replicas' rate limits."""
        return self.broker is not None and bool(self.regions)

    @field_validator("broker")
    @classmethod
    def _broker_url(cls, value: str | None) -> str | None:
        if value is not None and value.partition("://")[0] not in BROKER_SCHEMES:
            raise ValueError(
                f"expected a broker URL ({', '.join(s + '://' for s in BROKER_SCHEMES)}...)"
            )
        return value
