"""What a built-in readiness check is: typed arguments (`with:`), and a coroutine that measures.

A built-in is one module that builds a ``Builtin`` and one line in ``registry.py``. Its ``Args``
model validates the item's ``with:`` mapping when the config loads, so a wrong argument is a
config error with its file position. ``run`` never raises for what the target does: it returns
a ``Finding`` whose ``reason`` says what failed and how to fix it, and whose ``evidence`` holds
the measured values (JSON-able, secrets already kept out).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from golive.clock import Clock
from golive.config.secrets import Secrets

if TYPE_CHECKING:
    from golive.config import LoadedConfig
    from golive.store import Store


class Args(BaseModel):
    """Base of every built-in's ``with:`` arguments."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


@dataclass(frozen=True)
class Finding:
    """The outcome of one built-in check."""

    ok: bool
    reason: str  # one line: why it failed (with the fix), or what passed
    evidence: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    """What a built-in may use, given by the gate runner: the time, the config (its secrets
    redact what a built-in reports), the process environment (for ``env``) and the store (for
    ``notify_test``, which sends through the outbox)."""

    clock: Clock
    loaded: LoadedConfig
    environ: Mapping[str, str]
    store: Store | None = None
    timeout: float = 10.0

    @property
    def secrets(self) -> Secrets:
        return self.loaded.secrets


ArgsT = TypeVar("ArgsT", bound=Args)


@dataclass(frozen=True)
class Builtin(Generic[ArgsT]):
    """A registered built-in check."""

    name: str
    args: type[ArgsT]
    run: Callable[[ArgsT, Context], Awaitable[Finding]]
    summary: str
    supported: bool = True  # False: parsed and validated, reported "not yet supported"
