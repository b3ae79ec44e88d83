"""``gate:`` — the readiness items behind ``golive gate``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from pydantic import Field, model_validator

from golive.config.model import Model
from golive.config.units import Duration


class GateItem(Model):
    name: str = Field(min_length=1)
    category: Literal["technical", "operational", "business"] = "technical"
    required: bool = True
    description: str = ""
    run: str | None = None
    with_: dict[str, Any] = Field(default_factory=dict, alias="with")
    checks: list[str] | None = None
    loadtest: str | None = None
    backup: str | None = None
    manual: bool = False
    owner: str | None = None
    valid_for: Duration | None = None
    fresh: Duration | None = None

    @model_validator(mode="after")
    def _one_source(self) -> GateItem:
        sources = {
            "run": self.run is not None,
            "checks": self.checks is not None,
            "loadtest": self.loadtest is not None,
            "backup": self.backup is not None,
            "manual": self.manual,
        }
        chosen = [name for name, present in sources.items() if present]
        if len(chosen) != 1:
            raise ValueError(
                "a gate item needs exactly one of run, checks, loadtest, backup or manual: true; "
                f"found {', '.join(chosen) or 'none'}"
            )
        if self.fresh is not None and self.loadtest is None and self.backup is None:
            raise ValueError(
                "`fresh` says how old load-test or backup evidence may be; this item has neither"
            )
        if self.with_ and self.run is None:
            raise ValueError("`with` gives arguments to `run`; this item has no `run`")
        return self

    @property
    def signoff_valid_for(self) -> timedelta:
        """How long a sign-off of this item counts (90 days unless `valid_for` says)."""
        return self.valid_for or timedelta(days=90)
