"""`golive serve --role web`: the web app over the store alone, for replicas behind a balancer.

``WebRuntime`` implements ``golive.web.Runtime`` with no engine, no services and no delivery:
- ``statuses()`` are the stored check states (what the evaluator wrote), read again at most
  every ``STATUS_TTL`` seconds; ``checks_version`` moves when they differ from the last read;
- ``recent_latencies()`` come from the stored evidence (the last ``RECENT_RUNS`` of each);
- ``unsaved_rollups()`` is empty: the evaluator stores the open hours every minute and each
  minute when it closes, so today's bar and the live chart lag by at most a minute here;
- ``pings`` is a ``StoredPings``: each ping is stored (``heartbeat_pings``) before it is
  answered, and the evaluator's heartbeat loop takes it from there;
- ``store_writes`` is this replica's own store health (its reads each second, its pings);
- ``reload()`` reads the configuration file again (SIGHUP).
Rate-limit budgets are shared through Redis when one is configured (``budgets_url``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Iterable, Mapping, Sequence

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import select

from golive.alerts import maintenance_status
from golive.clock import Clock
from golive.config import LoadedConfig, load_config
from golive.engine.pings import PingBook
from golive.exceptions import ConfigError, StoreError
from golive.records import Bucket, CheckStatus, Ping
from golive.store import Store
from golive.store.heartbeats import keep_ping, ping_digests
from golive.store.state import load_statuses
from golive.store.tables import Evidence
from golive.web.runtime import ReloadOutcome, StoreWrites

log = logging.getLogger("golive.serve")

STATUS_TTL = 1.0  # seconds a read of the check states is served
SECRETS_EVERY = 10.0  # seconds between two reads of the ping secrets (1 s after a miss)
RECENT_RUNS = 20
REDIS_SCHEMES = ("redis", "rediss", "unix")


def budgets_url(loaded: LoadedConfig) -> str | None:
    """Where the replicas share their rate-limit budgets: ``server.rate_limits.shared``, else
    ``workers.broker`` when it is a Redis URL, else None (each replica counts its own)."""
    config = loaded.config
    shared = config.server.rate_limits.shared
    if shared is not None:
        return shared
    broker = config.workers.broker
    if broker is not None and broker.partition("://")[0] in REDIS_SCHEMES:
        return broker
    return None


async def reread_config(
    current: LoadedConfig, environ: Mapping[str, str]
) -> LoadedConfig | ReloadOutcome:
    """The configuration file read and validated again, or why it was refused (logged)."""
    try:
        return await asyncio.to_thread(
            load_config,
            current.path,
            environ=environ,
            env=current.environment,
            kinds=current.kinds,
            gate_args=current.gate_builtins,
        )
    except ConfigError as exc:
        message = f"reload refused, still running the previous config: {exc.issues[0]}"
        if len(exc.issues) > 1:
            message += f" (and {len(exc.issues) - 1} more)"
        log.error("%s", message)
        return ReloadOutcome(False, message)


class StoredPings(PingBook):
    """A web replica's ping book: the secrets come from the store (``refresh``), and each
    ping is stored for the evaluator before the job gets its 200."""

    def __init__(self, store: Store, writes: StoreWrites, clock: Clock) -> None:
        super().__init__()
        self.store, self.writes, self.clock = store, writes, clock

    async def keep(self, ping: Ping) -> None:
        try:
            await asyncio.to_thread(keep_ping, self.store, ping)
        except StoreError as exc:
            self.writes.failed(self.clock.now(), str(exc))
            raise
        self.writes.succeeded()

    def refresh(self, checks: Iterable[str]) -> None:
        found = ping_digests(self.store)
        self.know({name: found[name] for name in checks if name in found})


class WebRuntime:
    """The ``Runtime`` of a web replica (see the module docstring)."""

    def __init__(
        self, loaded: LoadedConfig, *, store: Store, clock: Clock, environ: Mapping[str, str]
    ) -> None:
        self.loaded = loaded
        self.store = store
        self.clock = clock
        self.environ = environ
        self.store_writes = StoreWrites()
        self.pings = StoredPings(store, self.store_writes, clock)
        self.metrics_registry = CollectorRegistry()
        self.rate_limit_errors = Counter(
            "golive_rate_limit_errors_total",
            "Errors of the shared rate-limit store (Redis); the replica used its own budgets",
            ["error"],
            registry=self.metrics_registry,
        )
        self.checks_version = 0
        self._statuses: dict[str, CheckStatus] = {}
        self._read_at = float("-inf")
        self._lock = threading.Lock()
        self._secrets_at = float("-inf")
        self._stopping = asyncio.Event()

    # -- what the web reads ---------------------------------------------------------------
    def statuses(self) -> Mapping[str, CheckStatus]:
        with self._lock:
            if self.clock.monotonic() - self._read_at >= STATUS_TTL:
                self._read_statuses()
            return self._statuses

    def maintenance(self) -> Mapping[str, str]:
        return maintenance_status(self.loaded, self.clock.now())

    def recent_latencies(self, names: Iterable[str]) -> Mapping[str, tuple[float | None, ...]]:
        """The last runs of each check from the evidence (one indexed query per check: the
        dashboard asks for the rows it shows)."""
        found: dict[str, tuple[float | None, ...]] = {}
        with self.store.reading("read recent runs") as connection:
            for name in names:
                rows = connection.execute(
                    select(Evidence.ok, Evidence.latency_ms)
                    .where(Evidence.kind == "probe", Evidence.subject == name)
                    .order_by(Evidence.taken_at.desc())
                    .limit(RECENT_RUNS)
                ).all()
                if rows:
                    found[name] = tuple(ms if ok else None for ok, ms in reversed(rows))
        return found

    def unsaved_rollups(self, resolution: str, check: str | None = None) -> Sequence[Bucket]:
        return []  # the evaluator's open buckets: stored each minute, read from the store

    async def reload(self) -> ReloadOutcome:
        fresh = await reread_config(self.loaded, self.environ)
        if isinstance(fresh, ReloadOutcome):
            return fresh
        self.loaded = fresh
        with self._lock:
            self._read_at = float("-inf")  # the next read keeps only the configured checks
        self._secrets_at = float("-inf")
        names = len(fresh.config.checks)
        log.info("configuration reloaded: %d checks", names)
        return ReloadOutcome(True, f"reloaded: {names} checks")

    # -- lifecycle ------------------------------------------------------------------------
    async def run(self) -> None:
        """Until ``stop()``: each second, read the check states (the store's health for
        ``/healthz``) and, when due, the ping secrets."""
        while not self._stopping.is_set():
            await self.run_once()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), STATUS_TTL)

    async def run_once(self) -> None:
        """One turn of ``run``."""
        with contextlib.suppress(StoreError):  # counted in store_writes, logged once
            await asyncio.to_thread(self.statuses)
            await asyncio.to_thread(self._refresh_secrets)

    def stop(self) -> None:
        self._stopping.set()

    def _read_statuses(self) -> None:
        """Read the stored states (under the lock); a failure keeps the last ones."""
        try:
            stored = load_statuses(self.store)
        except StoreError as exc:
            if self.store_writes.failure is None:
                log.error("store unreachable: %s", self.loaded.secrets.redact(str(exc)))
            self.store_writes.failed(self.clock.now(), self.loaded.secrets.redact(str(exc)))
            self._read_at = self.clock.monotonic()  # not again before STATUS_TTL
            return
        if self.store_writes.failure is not None:
            log.info("store reachable again")
        self.store_writes.succeeded()
        self._read_at = self.clock.monotonic()
        names = {check.name for check in self.loaded.config.checks}
        statuses = {name: status for name, status in stored.items() if name in names}
        if statuses != self._statuses:
            self._statuses = statuses  # replaced, never mutated: readers keep their snapshot
            self.checks_version += 1

    def _refresh_secrets(self) -> None:
        since = self.clock.monotonic() - self._secrets_at
        if since < SECRETS_EVERY and not (self.pings.stale and since >= STATUS_TTL):
            return
        started = self.clock.monotonic()
        pushed = [check.name for check in self.loaded.pushed_checks()]
        if pushed:
            self.pings.refresh(pushed)  # a failure is tried again at the next turn
        else:
            self.pings.know({})
        self._secrets_at = started
