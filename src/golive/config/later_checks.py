"""``heartbeat:`` and ``steps:`` checks: kinds beside the probe registry's.

They are check kinds like the probe registry's, so every check still has one kind, fields for
its expectations and a target to describe. A ``heartbeat:`` check is *pushed*: the job pings
`golive serve` (``golive.engine.heartbeats`` judges the pings), nothing probes it. A ``steps:``
check is a journey (``golive.probes.steps`` runs it): its steps each name one of the injected
probe kinds, so its runner is bound to them by ``with_later_kinds``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from functools import cache, partial
from typing import Any

from pydantic import Field, PrivateAttr, create_model, model_validator

from golive.config.model import Model
from golive.config.reference import format_duration
from golive.config.units import Cron, Duration, Name, TimeZone
from golive.probes import steps as journeys
from golive.probes.base import ProbeContext, ProbeError, ProbeKind, ProbeSpec

TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


class HeartbeatSpec(ProbeSpec):
    """A job that reports in: DOWN when its ping is later than its schedule plus ``grace``."""

    cron: Cron | None = None
    period: Duration | None = None
    timezone: TimeZone = "UTC"
    grace: Duration = timedelta(minutes=5)

    @model_validator(mode="after")
    def _one_schedule(self) -> HeartbeatSpec:
        if (self.cron is None) == (self.period is None):
            raise ValueError("a heartbeat needs exactly one of cron or period")
        if self.period is not None and self.period <= timedelta(0):
            raise ValueError("period must be longer than 0s")
        return self

    def describe(self) -> str:
        if self.cron:
            return f"pings on cron {self.cron} ({self.timezone})"
        return f"pings every {format_duration(self.period or timedelta(0))}"


class StepBase(Model):
    """One request of a journey: one probe kind, its expectations, values it captures."""

    name: Name
    expect: list[str] | None = None
    capture: dict[str, str] = Field(default_factory=dict)

    _kind: str = PrivateAttr(default="")

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def spec(self) -> ProbeSpec:
        return getattr(self, self._kind)  # type: ignore[no-any-return]

    @model_validator(mode="after")
    def _one_probe(self) -> StepBase:
        names = [n for n in type(self).model_fields if n not in StepBase.model_fields]
        chosen = [n for n in names if getattr(self, n) is not None]
        if len(chosen) != 1:
            found = f"found {', '.join(chosen)}" if chosen else "found none"
            raise ValueError(f"a step needs exactly one probe ({', '.join(names)}); {found}")
        self._kind = chosen[0]
        for key in self.capture:
            if not key.isidentifier():
                raise ValueError(f"capture: {key!r} is not a name a later step can use")
        return self


class StepsSpec(ProbeSpec):
    """The steps of a journey, in order (built from the check's ``steps:`` list)."""

    steps: tuple[Any, ...]

    def describe(self) -> str:
        return " → ".join(step.name for step in self.steps)


@cache
def _cached_step_model(kinds: tuple[tuple[str, type[ProbeSpec]], ...]) -> type[StepBase]:
    fields: dict[str, Any] = {name: (spec | None, None) for name, spec in kinds}
    return create_model("Step", __base__=StepBase, **fields)


def step_model(kinds: Mapping[str, ProbeKind[Any]]) -> type[StepBase]:
    """The model of one step, for the probe kinds a step may use (those golive runs today)."""
    usable = tuple(
        (name, kind.spec)
        for name, kind in kinds.items()
        if kind.later is None and not kind.pushed and kind.spec is not StepsSpec
    )
    return _cached_step_model(usable)


def step_problems(steps: list[StepBase]) -> list[str]:
    """Repeated step names, and ``{{ name }}`` uses of a value no earlier step captured."""
    problems: list[str] = []
    seen: set[str] = set()
    captured: set[str] = set()
    for step in steps:
        if step.name in seen:
            problems.append(f"step name '{step.name}' is used twice")
        seen.add(step.name)
        used = TEMPLATE.findall(step.spec.model_dump_json())
        for name in sorted(set(used) - captured):
            problems.append(
                f"step '{step.name}' uses {{{{ {name} }}}}, which no earlier step captures"
            )
        captured.update(step.capture)
    return problems


async def _pushed(spec: ProbeSpec, ctx: ProbeContext) -> dict[str, Any]:
    raise ProbeError("a heartbeat check is judged from its pings by golive serve, never probed")


HEARTBEAT = ProbeKind(
    name="heartbeat",
    spec=HeartbeatSpec,
    fields={
        "last_ping_age_s": "double: seconds since the last ping",
        "duration_s": "double: how long the job's last run took, from its start ping",
        "exit_code": "int: the exit code the last ping reported",
        "runs": "int: runs that reported an end (success, failure or exit code) so far",
    },
    default_expect=("ok_connect",),
    run=_pushed,
    summary="a job pings golive; DOWN when a ping is late or reports a failure",
    pushed=True,
)

STEPS_FIELDS = {
    "failed_step": "string|null: the name of the first step that failed, or null",
}


def steps_kind(kinds: Mapping[str, ProbeKind[Any]]) -> ProbeKind[StepsSpec]:
    """The ``steps:`` kind, its steps run with ``kinds``."""
    return ProbeKind(
        name="steps",
        spec=StepsSpec,
        fields=STEPS_FIELDS,
        default_expect=("failed_step == null",),
        run=partial(journeys.run, kinds=kinds),
        summary="several requests in order, values captured by one used by the next",
    )


def with_later_kinds(kinds: Mapping[str, ProbeKind[Any]]) -> dict[str, ProbeKind[Any]]:
    """``kinds`` and the kinds beside them: ``heartbeat`` and ``steps`` (whose steps use
    ``kinds``)."""
    return {**kinds, "heartbeat": HEARTBEAT, "steps": steps_kind(kinds)}
