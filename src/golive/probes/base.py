"""What every probe kind is made of: a spec model, its fields, a default expectation, a runner.

A probe kind is one module that builds a ``ProbeKind`` and one line in ``registry.py``. Its
``run`` coroutine receives the validated spec and a ``ProbeContext`` and returns the fields it
measured. It never raises for a failed target: it raises ``ProbeError`` (translated from the
client library's error) with whatever fields it had measured, and the engine turns that into a
failed result. Every kind also exposes the common fields ``ok_connect``, ``latency_ms`` and
``error``.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    import aiohttp

COMMON_FIELDS: Mapping[str, str] = {
    "ok_connect": "bool: the target was reached (connection, handshake or process start)",
    "latency_ms": "double: time the probe took, in milliseconds",
    "error": "string|null: why the probe failed to measure, or null",
}


class ProbeSpec(BaseModel):
    """Base of every probe kind's options (the mapping under ``http:``, ``tcp:`` ...)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ProbeError(Exception):
    """The target could not be measured; ``fields`` keeps what was measured before."""

    def __init__(self, message: str, *, connected: bool = False, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.connected = connected
        self.fields = fields


def os_reason(exc: OSError) -> str:
    """``connection refused`` rather than ``[Errno 111] Connect call failed ('127.0.0.1', 1)``."""
    if exc.errno:
        return os.strerror(exc.errno).lower()
    return str(exc.strerror or exc) or type(exc).__name__


@dataclass
class ProbeContext:
    """Shared resources for one batch of probe runs."""

    timeout: float
    http: aiohttp.ClientSession | None = None
    extras: dict[str, Any] = field(default_factory=dict)


SpecT = TypeVar("SpecT", bound=ProbeSpec)
Runner = Callable[[SpecT, ProbeContext], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class ProbeKind(Generic[SpecT]):
    """A registered probe kind."""

    name: str
    spec: type[SpecT]
    fields: Mapping[str, str]
    default_expect: tuple[str, ...]
    run: Runner[SpecT]
    summary: str = ""
    later: str | None = None  # the stage that brings it to life; parsed and validated until then
    pushed: bool = False  # its runs are reported to golive (pings), never scheduled by the engine

    @property
    def all_fields(self) -> dict[str, str]:
        return {**COMMON_FIELDS, **self.fields}

    def target(self, spec: ProbeSpec) -> str:
        """A short human description of what ``spec`` probes (URL, host:port ...)."""
        describe = getattr(spec, "describe", None)
        return str(describe()) if callable(describe) else self.name
