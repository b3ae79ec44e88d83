"""``rollouts:``, ``backups:`` and ``flags:`` (the shipping, data-safety and flag stages)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from golive.config.model import Model
from golive.config.slo import exactly_one
from golive.config.units import Cron, Duration, Name, Percent


class NginxTraffic(Model):
    upstream: str
    file: str
    test: str = "nginx -t"
    reload: str = "nginx -s reload"


class HaproxyTraffic(Model):
    socket: str
    backend: str


class CommandTraffic(Model):
    """User scripts for any other balancer: ``set`` reads JSON ``{"HOST:PORT": weight, ...}``
    on its stdin (weight 0: out of the pool)."""

    set: str
    timeout: Duration = timedelta(seconds=30)


class Traffic(Model):
    nginx: NginxTraffic | None = None
    haproxy: HaproxyTraffic | None = None
    command: CommandTraffic | None = None

    @model_validator(mode="after")
    def _one_driver(self) -> Traffic:
        exactly_one(self, "nginx", "haproxy", "command")
        return self


PROMQL_PLACEHOLDERS = ("pool", "interval", "rollout")


class PromQueries(Model):
    """PromQL templates for an analysis from a ``prometheus_query`` source: ``$pool`` is a
    regex of the pool's HOST:PORT addresses, ``$interval`` the time since the step began
    (``37s``), ``$rollout`` the rollout's name. ``latency`` answers bucket counts by ``le``
    (seconds); ``p95`` (seconds), when set, replaces it with a quantile."""

    requests: str = 'sum(increase(http_requests_total{instance=~"$pool"}[$interval]))'
    errors: str = 'sum(increase(http_requests_total{instance=~"$pool",status=~"5.."}[$interval]))'
    latency: str | None = (
        'sum by (le) (increase(http_request_duration_seconds_bucket{instance=~"$pool"}[$interval]))'
    )
    p95: str | None = None

    @model_validator(mode="after")
    def _known_placeholders(self) -> PromQueries:
        for name in ("requests", "errors", "latency", "p95"):
            text = getattr(self, name)
            if text is None:
                continue
            found = re.findall(r"\$\{?([A-Za-z_]\w*)", text)
            unknown = sorted(set(found) - set(PROMQL_PLACEHOLDERS))
            if unknown:
                known = ", ".join(f"${p}" for p in PROMQL_PLACEHOLDERS)
                raise ValueError(f"{name}: unknown placeholder ${unknown[0]} (known: {known})")
        return self


class Analysis(Model):
    requests: str | None = None
    max_error_rate: Percent | None = None
    max_p95: Duration | None = None
    min_requests: int = Field(default=100, ge=0)
    compare_to_stable: bool = False
    queries: PromQueries | None = None  # with a prometheus_query source (defaults otherwise)


class Rollout(Model):
    name: Name
    strategy: Literal["canary", "blue-green", "rolling"] = "canary"
    traffic: Traffic
    stable: list[str] = Field(min_length=1)
    canary: list[str] = Field(default_factory=list)
    steps: list[int] = Field(default_factory=lambda: [10, 50, 100])
    pause: Duration = timedelta(minutes=5)
    interval: Duration = timedelta(seconds=5)  # how often the analysis judges a step
    keep_old: Duration = timedelta(minutes=10)  # blue-green: the old pool kept for a switch back
    analysis: Analysis = Analysis()
    before: list[str] = Field(default_factory=list)
    smoke: list[str] = Field(default_factory=list)
    notify: list[str] | None = None  # channels told of each step; unset: the matching route's

    @field_validator("steps")
    @classmethod
    def _rising_percentages(cls, steps: list[int]) -> list[int]:
        if not steps or any(not 0 < s <= 100 for s in steps) or steps != sorted(set(steps)):
            raise ValueError("steps are rising percentages from 1 to 100, such as [10, 50, 100]")
        return steps


class PostgresBackup(Model):
    dsn: str
    jobs: int = Field(default=1, ge=1, le=64)
    # pg_dump's format: `directory` dumps and restores `jobs` tables at once, `custom` is one
    # file (restored in parallel, dumped by one process); default: directory when jobs > 1
    format: Literal["custom", "directory"] | None = None

    @property
    def dump_format(self) -> Literal["custom", "directory"]:
        return self.format or ("directory" if self.jobs > 1 else "custom")


class PgBackRestBackup(Model):
    stanza: str = Field(min_length=1)
    repo: int | None = Field(default=None, ge=1, le=256)  # which of pgBackRest's repositories
    config: str | None = None  # pgbackrest.conf, relative to this file (default: pgBackRest's own)
    type: Literal["full", "diff", "incr"] = "incr"  # pgBackRest takes a full one when none exists
    database: str = "postgres"  # the database drills check and run verify.expect in


class RedisBackup(Model):
    url: str


class FilesBackup(Model):
    paths: list[str] = Field(min_length=1)


class S3Target(Model):
    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None


class BackupTarget(Model):
    dir: str | None = None
    s3: S3Target | None = None

    @model_validator(mode="after")
    def _one_target(self) -> BackupTarget:
        exactly_one(self, "dir", "s3")
        return self


class Retention(Model):
    last: int = Field(default=4, ge=1)
    daily: int = Field(default=7, ge=0)
    weekly: int = Field(default=4, ge=0)
    monthly: int = Field(default=0, ge=0)


class Verify(Model):
    every: Duration = timedelta(days=1)
    expect: list[str] = Field(default_factory=list)
    into: str | None = None  # a DSN of the server drills restore into (default: the source's)
    tolerance: Percent = 0.0  # how far a restored table's row count may be from the source's


class Encrypt(Model):
    key_file: str  # 32 random bytes (raw, hex or base64), relative to the config file


class Backup(Model):
    name: Name
    postgres: PostgresBackup | None = None
    pgbackrest: PgBackRestBackup | None = None
    redis: RedisBackup | None = None
    files: FilesBackup | None = None
    every: Duration | None = None
    cron: Cron | None = None
    to: BackupTarget
    retention: Retention = Retention()
    rpo: Duration | None = None
    rto: Duration | None = None
    verify: Verify | None = None
    encrypt: Encrypt | None = None
    region: Name | None = None  # whose workers take it and drill it (default: workers.regions[0])

    @model_validator(mode="after")
    def _shape(self) -> Backup:
        exactly_one(self, "postgres", "pgbackrest", "redis", "files")
        if self.every is not None and self.cron is not None:
            raise ValueError("give `every` or `cron`, not both")
        return self


ConstraintOperator = Literal[
    "IN",
    "NOT_IN",
    "STR_CONTAINS",
    "STR_STARTS_WITH",
    "STR_ENDS_WITH",
    "NUM_EQ",
    "NUM_GT",
    "NUM_GTE",
    "NUM_LT",
    "NUM_LTE",
]


class FlagConstraint(Model):
    """One Unleash-style condition on the evaluation context: ``field operator values``."""

    field: str = Field(min_length=1)
    operator: ConstraintOperator
    values: list[str] = Field(min_length=1)
    inverted: bool = False
    case_insensitive: bool = False

    @field_validator("values", mode="before")
    @classmethod
    def _as_text(cls, values: object) -> object:
        if isinstance(values, list):
            return [
                str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
                for v in values
            ]
        return values

    @model_validator(mode="after")
    def _numbers(self) -> FlagConstraint:
        if self.operator.startswith("NUM_"):
            for value in self.values:
                try:
                    float(value)
                except ValueError:
                    raise ValueError(
                        f"{self.operator} compares numbers; {value!r} is not one"
                    ) from None
        return self


class Flag(Model):
    name: Name
    description: str = ""
    enabled: bool = False
    rollout: Percent = 1.0
    roles: list[str] = Field(default_factory=list)
    environments: list[str] = Field(default_factory=list)
    constraints: list[FlagConstraint] = Field(default_factory=list)
