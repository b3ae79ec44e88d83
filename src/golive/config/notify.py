"""``maintenance:`` and ``notify:`` (channels, routes, grouping)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from golive.config.model import Model
from golive.config.units import Cron, Duration, Name


class Maintenance(Model):
    name: Name
    cron: Cron | None = None
    start: datetime | None = None
    duration: Duration
    components: list[str] = Field(default_factory=list)
    checks: list[str] = Field(default_factory=list)
    message: str = ""

    @model_validator(mode="after")
    def _when(self) -> Maintenance:
        if (self.cron is None) == (self.start is None):
            raise ValueError("a maintenance window needs exactly one of cron or start")
        return self


class Channel(Model):
    name: Name
    url: str = Field(min_length=3)

    @field_validator("url")
    @classmethod
    def _has_scheme(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError("expected an Apprise URL such as json://host/path or mailto://...")
        return value


class Route(Model):
    match: dict[str, str | list[str]] = Field(default_factory=dict)
    to: list[str] = Field(default_factory=list)
    escalation: str | None = None
    digest: Literal["daily", "weekly"] | None = None
    group_by: list[str] | None = None
    group_wait: Duration | None = None
    repeat_every: Duration | None = None

    @model_validator(mode="after")
    def _somewhere(self) -> Route:
        if not self.to and not self.escalation:
            raise ValueError("a route needs `to` channels or an `escalation` policy")
        return self


class Notify(Model):
    channels: list[Channel] = Field(default_factory=list)
    routes: list[Route] = Field(default_factory=list)
    group_by: list[str] = Field(default_factory=lambda: ["component"])
    group_wait: Duration = timedelta(seconds=10)
    repeat_every: Duration = timedelta(hours=4)
