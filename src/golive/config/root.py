"""The whole configuration: every section of the reference, in one model."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, Literal

from pydantic import Field, create_model

from golive.config.checks import CheckBase, check_model
from golive.config.gate import GateItem
from golive.config.model import Component, Model, Server, Workers
from golive.config.notify import Maintenance, Notify
from golive.config.oncall import Incidents, OnCall, Reports
from golive.config.ship import Backup, Flag, Rollout
from golive.config.slo import AlertRule, LoadTest, MetricSource, Slo
from golive.probes.base import ProbeKind

DEFAULT_STORE = "sqlite:///.golive/golive.db"


class ConfigBase(Model):
    """Every top-level section; ``checks`` is typed by the probe registry (see ``config_model``)."""

    version: Literal[1]
    project: str = Field(min_length=1)
    environment: str = "default"
    vars: dict[str, Any] = Field(default_factory=dict)
    environments: dict[str, dict[str, Any]] = Field(default_factory=dict)
    store: str = DEFAULT_STORE
    server: Server = Server()
    components: list[Component] = Field(default_factory=list)
    checks: list[CheckBase] = Field(default_factory=list)
    maintenance: list[Maintenance] = Field(default_factory=list)
    notify: Notify = Notify()
    metrics: list[MetricSource] = Field(default_factory=list)
    slos: list[Slo] = Field(default_factory=list)
    alerts: list[AlertRule] = Field(default_factory=list)
    loadtests: list[LoadTest] = Field(default_factory=list)
    oncall: OnCall = OnCall()
    incidents: Incidents = Incidents()
    reports: Reports = Reports()
    gate: list[GateItem] = Field(default_factory=list)
    rollouts: list[Rollout] = Field(default_factory=list)
    backups: list[Backup] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    workers: Workers = Workers()

    def check(self, name: str) -> CheckBase:
        """The check called ``name`` (KeyError when there is none)."""
        for check in self.checks:
            if check.name == name:
                return check
        raise KeyError(name)


@cache
def _cached_config_model(check_cls: type[CheckBase]) -> type[ConfigBase]:
    return create_model(
        "Config",
        __base__=ConfigBase,
        checks=(list[check_cls], Field(default_factory=list)),  # type: ignore[valid-type]
    )


def config_model(kinds: Mapping[str, ProbeKind[Any]]) -> type[ConfigBase]:
    """The root model whose checks know these probe kinds."""
    return _cached_config_model(check_model(kinds))
