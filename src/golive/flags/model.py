"""The flag as the evaluator sees it: a definition with its runtime override applied, in a plain
shape that travels as JSON from ``golive serve`` to the SDK (standard library only)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Reason = Literal["STATIC", "TARGETING_MATCH", "SPLIT", "DISABLED", "DEFAULT", "ERROR"]


@dataclass(frozen=True)
class Constraint:
    """``field operator values`` over the context (Unleash's constraint, in snake case)."""

    field: str
    operator: str
    values: tuple[str, ...]
    inverted: bool = False
    case_insensitive: bool = False


@dataclass(frozen=True)
class FlagDefinition:
    """One flag: ``rollout`` is a percentage from 0 to 100; ``group`` seeds the sticky hash (the
    flag's name unless given, as Unleash's ``groupId``)."""

    name: str
    enabled: bool = False
    rollout: float = 100.0
    roles: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    group: str | None = None
    description: str = ""

    @property
    def targeted(self) -> bool:
        """Whether anything but ``enabled`` decides (roles, environments, constraints, a split)."""
        return bool(self.roles or self.environments or self.constraints or self.rollout < 100)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "enabled": self.enabled,
            "rollout": self.rollout,
            "roles": list(self.roles),
            "environments": list(self.environments),
            "constraints": [
                {
                    "field": c.field,
                    "operator": c.operator,
                    "values": list(c.values),
                    "inverted": c.inverted,
                    "case_insensitive": c.case_insensitive,
                }
                for c in self.constraints
            ],
            "group": self.group,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FlagDefinition:
        """The inverse of ``to_json``; raises ``KeyError``/``TypeError``/``ValueError`` on a
        malformed document (the SDK keeps its last-known flags then)."""
        return cls(
            name=str(data["name"]),
            description=str(data.get("description", "")),
            enabled=bool(data["enabled"]),
            rollout=float(data["rollout"]),
            roles=tuple(str(r) for r in data.get("roles", ())),
            environments=tuple(str(e) for e in data.get("environments", ())),
            constraints=tuple(
                Constraint(
                    field=str(c["field"]),
                    operator=str(c["operator"]),
                    values=tuple(str(v) for v in c["values"]),
                    inverted=bool(c.get("inverted", False)),
                    case_insensitive=bool(c.get("case_insensitive", False)),
                )
                for c in data.get("constraints", ())
            ),
            group=None if data.get("group") is None else str(data["group"]),
        )


@dataclass(frozen=True)
class Evaluation:
    """A flag's value for one context, with an OpenFeature reason and what decided it."""

    flag: str
    value: bool
    reason: Reason
    detail: str = ""
    variant: str | None = field(default=None)
    error_code: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "flag": self.flag,
            "value": self.value,
            "reason": self.reason,
            "detail": self.detail,
            "variant": self.variant,
            "error_code": self.error_code,
        }
