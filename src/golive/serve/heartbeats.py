"""The heartbeat loop of `golive serve`: judges the pings the web received and the time that
passed, and hands each run to the check cycle (state, evidence, rollups, alerts, status page).

Every second: the pings since the last tick (those the web of this process recorded in memory,
and those web replicas stored, ``take_pings``) become runs (``golive.engine.heartbeats``), each
check whose next ping or open run is overdue becomes a failed run, and the changed states are
stored. It also gives every heartbeat check a row, and tells the web's ping book
the secrets' digests (again every ``REFRESH`` seconds, or at the next tick after a URL did not open:
`golive heartbeat url` and `rotate` write them from another process).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from golive.config import CheckBase, LoadedConfig
from golive.config.later_checks import HeartbeatSpec
from golive.engine.heartbeats import expected_after, heartbeat_result, overdue, receive, spec_of
from golive.engine.results import CheckResult
from golive.records import HeartbeatState, Ping
from golive.store.heartbeats import (
    ensure_heartbeats,
    load_heartbeats,
    ping_digests,
    save_heartbeats,
    take_pings,
)

if TYPE_CHECKING:
    from golive.serve.services import ServiceContext

REFRESH = 10.0  # seconds between two reads of the secrets
STALE_REFRESH = 1.0  # at most this often when a URL did not open


def make(ctx: ServiceContext) -> Heartbeats:
    """Always started (a reload may add the first heartbeat check); idle without one."""
    return Heartbeats(ctx)


class Heartbeats:
    name = "heartbeats"
    interval = 1.0

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._checks: dict[str, CheckBase] = {}
        self._specs: dict[str, HeartbeatSpec] = {}  # (``check.spec`` costs more than a lookup)
        self._states: dict[str, HeartbeatState] = {}
        self._due: dict[str, datetime] = {}  # when each check may next be overdue
        self._dirty: dict[str, HeartbeatState] = {}
        self._prepared: LoadedConfig | None = None
        self._secrets_read = float("-inf")

    def reload(self, loaded: LoadedConfig) -> None:
        self._prepared = None  # the next tick makes rows for new checks and reads them

    async def tick(self, now: datetime) -> None:
        loaded = self.ctx.config()
        if self._prepared is not loaded:
            await asyncio.to_thread(self._prepare, loaded, now)
        elif self._secrets_due():
            await asyncio.to_thread(self._read_secrets)
        stored = await asyncio.to_thread(take_pings, self.ctx.store) if self._checks else []
        for result in self.judge(loaded, now, stored):
            self.ctx.submit(result)
        if self._dirty:
            dirty = list(self._dirty.values())
            await asyncio.to_thread(save_heartbeats, self.ctx.store, dirty)
            for state in dirty:  # kept for the next tick if the store refused them
                if self._dirty.get(state.check) is state:
                    del self._dirty[state.check]

    def judge(
        self, loaded: LoadedConfig, now: datetime, stored: Sequence[Ping] = ()
    ) -> list[CheckResult]:
        """The runs since the last call: each end ping (those in memory and ``stored``, in
        the order they came), each overdue run or missed ping."""
        results = []
        pings = self.ctx.pings.drain()
        if stored:
            pings = sorted([*pings, *stored], key=lambda ping: ping.at)
        for ping in pings:
            check = self._checks.get(ping.check)
            if check is None:  # removed by a reload since the ping came
                continue
            state = self._update(receive(self._states[check.name], ping))
            if ping.kind == "end":
                spec = self._specs[check.name]
                results.append(heartbeat_result(loaded, check, spec, state, now=now, ping=ping))
        for name, due in self._due.items():
            if now < due:
                continue
            check, spec = self._checks[name], self._specs[name]
            found = overdue(spec, self._states[name], now)
            if found is None:
                self._due[name] = _due_at(spec, self._states[name])
                continue
            state = self._update(found[0])
            results.append(heartbeat_result(loaded, check, spec, state, now=now, late=found[1]))
        return results

    def _update(self, state: HeartbeatState) -> HeartbeatState:
        self._states[state.check] = self._dirty[state.check] = state
        self._due[state.check] = _due_at(self._specs[state.check], state)
        return state

    def _prepare(self, loaded: LoadedConfig, now: datetime) -> None:
        checks = {c.name: c for c in loaded.pushed_checks()}
        if checks:
            ensure_heartbeats(self.ctx.store, checks, now)
            stored = load_heartbeats(self.ctx.store)
        else:
            stored = {}
        self._checks = checks
        self._specs = {name: spec_of(check) for name, check in checks.items()}
        self._states = {name: self._states.get(name) or stored[name] for name in checks}
        self._due = {name: _due_at(self._specs[name], self._states[name]) for name in checks}
        self._read_secrets()
        self._prepared = loaded

    def _secrets_due(self) -> bool:
        since = self.ctx.clock.monotonic() - self._secrets_read
        return since >= REFRESH or (self.ctx.pings.stale and since >= STALE_REFRESH)

    def _read_secrets(self) -> None:
        self._secrets_read = self.ctx.clock.monotonic()
        found = ping_digests(self.ctx.store) if self._checks else {}
        self.ctx.pings.know({name: found[name] for name in self._checks if name in found})


def _due_at(spec: HeartbeatSpec, state: HeartbeatState) -> datetime:
    """The earliest time ``overdue`` may find something for ``state``."""
    reference = max(state.last_ping_at or state.watched_since, state.missed or state.watched_since)
    due = expected_after(spec, reference) + spec.grace
    if state.started_at is not None and not state.overdue_reported:
        due = min(due, state.started_at + spec.grace)
    return due
