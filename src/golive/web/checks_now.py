"""The checks now of one app (``app.state.checks_now``), shared by ``/api/checks`` and the
dashboard's overview. Made again once the runtime's configuration, ``checks_version`` or the
checks in maintenance (looked at every ``MAINTENANCE_EVERY`` seconds: windows begin and end
with the clock) change, and at least every ``MAX_AGE`` seconds; by one thread at a time while
the others answer from the value it replaces."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import cast

from starlette.requests import HTTPConnection

from golive.config import LoadedConfig
from golive.engine.checks_now import ChecksNow, checks_now
from golive.web.memo import Memo
from golive.web.runtime import Runtime

MAINTENANCE_EVERY = 1.0  # seconds
MAX_AGE = 60.0  # seconds


class LiveChecks:
    """One app's ``ChecksNow``, remade when the checks change (see the module docstring)."""

    def __init__(self) -> None:
        self._memo: Memo[ChecksNow] = Memo(ttl=MAX_AGE)
        self._windows: tuple[float, LoadedConfig | None, Mapping[str, str]] = (0.0, None, {})

    def get(self, runtime: Runtime) -> ChecksNow:
        """For a sync route (a worker thread)."""
        key, windows, tick = self._key(runtime)
        return self._memo.get(key, lambda: _build(runtime, windows), now=tick)

    async def aget(self, runtime: Runtime) -> ChecksNow:
        """For an async route: a fresh value on the event loop, else one thread remakes it."""
        key, windows, tick = self._key(runtime)
        return await self._memo.aget(key, lambda: _build(runtime, windows), now=tick)

    def _key(self, runtime: Runtime) -> tuple[Hashable, Mapping[str, str], float]:
        tick, loaded = runtime.clock.monotonic(), runtime.loaded
        at, seen_with, windows = self._windows
        if seen_with is not loaded or tick - at >= MAINTENANCE_EVERY:
            fresh = dict(runtime.maintenance())
            if seen_with is not loaded or fresh != windows:
                windows = fresh  # the same object while unchanged: keys compare by identity
            self._windows = (tick, loaded, windows)
        return (loaded, runtime.checks_version, windows), windows, tick


def live_checks(connection: HTTPConnection) -> LiveChecks:
    return cast(LiveChecks, connection.app.state.checks_now)


def _build(runtime: Runtime, windows: Mapping[str, str]) -> ChecksNow:
    return checks_now(runtime.loaded, runtime.store, live=runtime.statuses(), maintenance=windows)
