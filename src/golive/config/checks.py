"""``components:`` and ``checks:``.

A check names exactly one probe kind by its key (``http:``, ``tcp:`` ...). The set of kinds comes
from the probe registry, so the concrete check model is built from it by ``check_model``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from functools import cache
from typing import Any

from pydantic import (
    Field,
    PrivateAttr,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from golive.config.later_checks import HeartbeatSpec, StepBase, StepsSpec, step_model, step_problems
from golive.config.model import Model, Severity
from golive.config.reference import format_duration
from golive.config.units import Duration, Link, Name, parse_duration
from golive.probes.base import ProbeKind, ProbeSpec

DEFAULT_TIMEOUT = timedelta(seconds=10)


class CheckBase(Model):
    """The options every check has, whatever it probes."""

    name: Name
    component: str | None = None
    description: str = ""
    every: Duration = timedelta(seconds=60)
    timeout: Duration = Field(  # when not written: min(10s, every), see _fit_timeout
        default=DEFAULT_TIMEOUT, description="such as 5s; when not written, 10s or every if shorter"
    )
    expect: list[str] | None = None
    fail_after: int = Field(default=2, ge=1)
    recover_after: int = Field(default=1, ge=1)
    severity: Severity = "high"
    depends_on: list[str] = Field(default_factory=list)
    runbook: Link | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    regions: list[str] = Field(default_factory=list)
    quorum: int | None = Field(default=None, ge=1)

    _kind: str = PrivateAttr(default="")
    _spec: ProbeSpec | None = PrivateAttr(default=None)

    @property
    def kind(self) -> str:
        """The probe kind this check uses (``http``, ``tcp`` ...)."""
        return self._kind

    @property
    def spec(self) -> ProbeSpec:
        """The probe options of this check."""
        assert self._spec is not None, "a validated check always has a probe"
        return self._spec

    @model_validator(mode="before")
    @classmethod
    def _fit_timeout(cls, data: Any) -> Any:
        """An unwritten timeout is ``min(10s, every)`` (Prometheus's rule for scrape_timeout), so
        ``every: 1s`` alone is valid; a written one is checked against ``every`` below."""
        if not isinstance(data, dict) or "timeout" in data or "every" not in data:
            return data
        try:
            every = parse_duration(data["every"])
        except ValueError:
            return data  # the field itself reports it
        return {**data, "timeout": min(DEFAULT_TIMEOUT, every)}

    @field_validator("timeout")
    @classmethod
    def _within_every(cls, timeout: timedelta, info: ValidationInfo) -> timedelta:
        every = info.data.get("every")
        if isinstance(every, timedelta) and timeout > every:
            raise ValueError(
                f"timeout ({format_duration(timeout)}) must not be longer than every"
                f" ({format_duration(every)})"
            )
        return timeout

    @model_validator(mode="after")
    def _quorum_of_regions(self) -> CheckBase:
        if self.quorum is not None and self.regions and self.quorum > len(self.regions):
            raise ValueError(
                f"quorum ({self.quorum}) is more than the check's regions ({len(self.regions)})"
            )
        return self

    @model_validator(mode="after")
    def _one_probe(self) -> CheckBase:
        fields = type(self).model_fields
        kinds = [n for n in fields if n not in CheckBase.model_fields and getattr(self, n)]
        if len(kinds) != 1:
            choices = ", ".join(n for n in fields if n not in CheckBase.model_fields)
            found = f"found {', '.join(kinds)}" if kinds else "found none"
            raise ValueError(f"a check needs exactly one probe ({choices}); {found}")
        self._kind, value = kinds[0], getattr(self, kinds[0])
        if isinstance(value, list):  # steps: the journey's steps, each with its own probe
            problems = step_problems(value)
            if problems:
                raise ValueError("; ".join(problems))
            value = StepsSpec(steps=tuple(value))
        if isinstance(value, HeartbeatSpec) and "fail_after" not in self.model_fields_set:
            # a job runs rarely: one missed or failed run is DOWN, not the second one a day later
            object.__setattr__(self, "fail_after", 1)
        self._spec = value
        return self


@cache
def _cached_check_model(
    kinds: tuple[tuple[str, type[ProbeSpec]], ...], step: type[StepBase]
) -> type[CheckBase]:
    fields: dict[str, Any] = {
        name: ((list[step] if spec is StepsSpec else spec) | None, None)  # type: ignore[valid-type]
        for name, spec in kinds
    }
    return create_model("Check", __base__=CheckBase, **fields)


def check_model(kinds: Mapping[str, ProbeKind[Any]]) -> type[CheckBase]:
    """The check model for this set of probe kinds (built once per set); a ``steps`` kind
    takes a list of steps, each using one of the other kinds that run today."""
    specs = tuple((name, kind.spec) for name, kind in kinds.items())
    return _cached_check_model(specs, step_model(kinds))
