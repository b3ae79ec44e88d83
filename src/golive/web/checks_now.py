"""The checks now of one app (``app.state.checks_now``), shared by ``/api/checks`` and the
dashboard's overview: made again once the runtime's ``checks_version`` or configuration
changes, and at least every ``MAX_AGE`` seconds (maintenance windows begin and end with time),
by one thread at a time while the others answer from the value it replaces."""

from __future__ import annotations

from typing import cast

from starlette.requests import HTTPConnection

from golive.engine.checks_now import ChecksNow, checks_now
from golive.web.memo import Memo
from golive.web.runtime import Runtime

MAX_AGE = 5.0  # seconds


class LiveChecks:
    """One app's ``ChecksNow``, remade when the checks change (see the module docstring)."""

    def __init__(self) -> None:
        self._memo: Memo[ChecksNow] = Memo(ttl=MAX_AGE)

    def get(self, runtime: Runtime) -> ChecksNow:
        """For a sync route (a worker thread)."""
        key = (runtime.loaded, runtime.checks_version)
        return self._memo.get(key, lambda: _build(runtime), now=runtime.clock.monotonic())

    async def aget(self, runtime: Runtime) -> ChecksNow:
        """For an async route: a fresh value on the event loop, else one thread remakes it."""
        key = (runtime.loaded, runtime.checks_version)
        return await self._memo.aget(key, lambda: _build(runtime), now=runtime.clock.monotonic())


def live_checks(connection: HTTPConnection) -> LiveChecks:
    return cast(LiveChecks, connection.app.state.checks_now)


def _build(runtime: Runtime) -> ChecksNow:
    return checks_now(
        runtime.loaded,
        runtime.store,
        live=runtime.statuses(),
        maintenance=runtime.maintenance(),
    )
