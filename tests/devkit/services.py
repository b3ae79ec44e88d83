"""A ``ServiceContext`` as `golive serve` hands its services one, for tests that run a
service in-process: no environment, no wake-ups, never stopping, results and pings dropped."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from golive.clock import Clock
from golive.config import LoadedConfig
from golive.engine.pings import PingBook
from golive.records import Signal
from golive.serve.metrics import Metrics
from golive.serve.services import ServiceContext
from golive.store import Store


def service_context(
    store: Store,
    config: Callable[[], LoadedConfig],
    clock: Clock,
    signal: Callable[[Sequence[Signal]], None] = lambda _signals: None,
) -> ServiceContext:
    """The context a service gets on ``store`` and ``clock``; ``config()`` is asked each time
    (a test may swap the config, as a reload would); ``signal`` receives what the service
    hands the alert cycle."""
    return ServiceContext(
        store=store,
        clock=clock,
        environ={},
        metrics=Metrics(),
        config=config,
        wake=lambda: None,
        stopping=lambda: False,
        submit=lambda _result: None,
        pings=PingBook(),
        signal=signal,
    )
