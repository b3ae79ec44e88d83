"""The long-running process: engine → cycle (state, evidence, rollups, alerts, notify) → web.

One cycle a second drains the engine's results, advances each check's state machine, stores
the cycle in one transaction, evaluates alerts and plans and delivers notifications. Every step
is guarded: a failing step is logged and counted (``golive_cycle_errors_total``) and the loop
goes on; results not yet stored stay in memory and are written by the next cycle.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry

from golive.alerts import maintenance_status, unsupported_rules
from golive.clock import Clock
from golive.config import CheckBase, LoadedConfig
from golive.engine.loop import Engine, EngineCounters
from golive.engine.pings import PingBook
from golive.engine.recent import RecentRuns
from golive.engine.results import CheckResult
from golive.engine.rollup import RollupBuffer, bucket_start
from golive.engine.state import advance
from golive.exceptions import StoreError
from golive.notify import check_channels
from golive.records import Bucket, CheckStatus, EvidenceRecord
from golive.serve.alerting import AlertCycle
from golive.serve.housekeeping import deliver, prune_store
from golive.serve.metrics import Metrics
from golive.serve.services import (
    SERVICES,
    Factory,
    Service,
    ServiceContext,
    Services,
    run_service,
)
from golive.serve.web_role import reread_config
from golive.store import Store
from golive.store.state import flush, load_statuses
from golive.web.runtime import ReloadOutcome, StoreWrites

if TYPE_CHECKING:
    from golive.scale.remote import RemoteEngine

log = logging.getLogger("golive.serve")

# What runs the checks: ``_engine`` (by the config) unless the caller says (the evaluator role).
EngineFactory = Callable[..., "Engine | RemoteEngine"]

CYCLE_SECONDS = 1.0
PRUNE_EVERY = timedelta(minutes=10)


@dataclass
class _Pending:
    """What a cycle could not store yet (the store was locked or down): kept for the next."""

    statuses: dict[str, CheckStatus]
    evidence: list[EvidenceRecord]
    buckets: list[Bucket]
    consumed: list[int]  # inbox rows of the results above (workers' runs, see golive.scale)


class ServeRuntime:
    """Everything `golive serve` runs, and what the web API reads."""

    def __init__(
        self,
        loaded: LoadedConfig,
        *,
        store: Store,
        clock: Clock,
        environ: Mapping[str, str],
        concurrency: int = 500,
        services: tuple[Factory, ...] = SERVICES,
        engine: EngineFactory | None = None,
    ) -> None:
        self.loaded = loaded
        self._checks = {c.name: c for c in loaded.config.checks}
        self.environ = environ
        self.store = store
        self.clock = clock
        self.metrics = Metrics()
        self.latest: dict[str, CheckResult] = {}
        self._statuses = self._initial_statuses(load_statuses(store))
        self.checks_version = 0  # +1 when the statuses change: the web's caches follow it
        self._rollups = RollupBuffer()
        self._recent = RecentRuns()
        self._pending = _Pending({}, [], [], [])
        self.store_writes = StoreWrites()  # /healthz reads it
        self._last_prune = clock.now()
        self._pruning: asyncio.Task[None] | None = None
        self._hours_saved_at = bucket_start(clock.now(), "minute")
        self.engine = (engine or _engine)(
            loaded,
            store=store,
            clock=clock,
            concurrency=concurrency,
            on_lag=self._on_lag,
            on_result=self._on_result,
        )
        self._stopping = asyncio.Event()
        self._abandoned = False  # stop at once, without the final flush (leadership lost)
        self._deliver_now = asyncio.Event()
        self._cycle_now = asyncio.Event()
        self._counted = EngineCounters()  # the engine's counts at the last cycle
        self._alerting = AlertCycle(store, self.metrics)
        self._announce(loaded)
        self.pings = PingBook()  # the web's ping URLs record here, the heartbeat service judges
        self._services = Services(
            ServiceContext(
                store=store,
                clock=clock,
                environ=environ,
                metrics=self.metrics,
                config=lambda: self.loaded,
                wake=self._cycle_now.set,
                stopping=self._stopping.is_set,
                submit=self.engine.submit,
                pings=self.pings,
                signal=self._alerting.signal,
            ),
            services,
        )

    def _announce(self, loaded: LoadedConfig) -> None:
        """Say once, at start and on reload, what this config asks for that cannot run."""
        for rule in unsupported_rules(loaded):
            log.warning("not yet supported: alert %s", rule)
        for check in loaded.later_checks():
            log.warning("not yet supported: %s", check)
        for problem in check_channels(loaded.config, loaded.secrets):
            log.error("notify: %s", problem)

    # -- what the API reads ---------------------------------------------------------------
    @property
    def services(self) -> list[Service]:
        """The services running now (a reload may add one)."""
        return list(self._services)

    @property
    def metrics_registry(self) -> CollectorRegistry:
        return self.metrics.registry

    def statuses(self) -> Mapping[str, CheckStatus]:
        return dict(self._statuses)  # a snapshot: the API reads it from a worker thread

    def maintenance(self) -> Mapping[str, str]:
        return maintenance_status(self.loaded, self.clock.now())

    def recent_latencies(self, names: Iterable[str]) -> Mapping[str, tuple[float | None, ...]]:
        return self._recent.of(names)

    def unsaved_rollups(self, resolution: str, check: str | None = None) -> Sequence[Bucket]:
        return self._rollups.open(resolution, check)

    # -- lifecycle ------------------------------------------------------------------------
    async def run(self) -> None:
        """Run until ``stop()``; the last results and open rollups are stored on the way out."""
        engine = asyncio.create_task(self.engine.run(), name="engine")
        deliverer = asyncio.create_task(self._deliver_loop(), name="deliver")
        self._services.launch(lambda s: run_service(s, self.clock, self._stopping, self._step))
        try:
            while not self._stopping.is_set():
                started = time.perf_counter()
                await self.cycle()
                self.metrics.cycle_seconds.observe(time.perf_counter() - started)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._cycle_now.wait(), CYCLE_SECONDS)
                self._cycle_now.clear()
        finally:
            self.engine.stop()
            if self._abandoned:  # another process leads: what is left is its to do
                await _cancelled(engine, deliverer, self._pruning, *self._services.tasks)
            else:
                await self._finish(engine, deliverer)

    async def _finish(self, engine: asyncio.Task[None], deliverer: asyncio.Task[None]) -> None:
        """A clean stop: let the engine and services end, store the last cycle, deliver."""
        await engine
        await self._services.stopped()
        if self._pruning is not None:
            await self._pruning  # it stops after the batch it is in (``stopping``)
        await self.cycle(final=True)
        self._deliver_now.set()
        await deliverer

    def stop(self) -> None:
        self._stopping.set()
        self._cycle_now.set()

    def abandon(self) -> None:
        """Stop at once: running probes, services and deliveries are cancelled and nothing
        more is stored (no final cycle). For a leader that lost its lease: its fenced writes
        would be refused anyway, and the new leader carries on from the store."""
        self._abandoned = True
        self.stop()

    async def cycle(self, *, final: bool = False) -> None:
        now = self.clock.now()
        results = self.engine.drain()
        evidence = self._evidence(results)  # before _advance: it compares with the previous run
        changed = self._advance(results)
        self.metrics.observe_results(results, self._statuses)
        counters, seen = self.engine.counters, self._counted
        self.metrics.skipped.inc(counters.skipped - seen.skipped)
        self.metrics.dispatch_lost.inc(counters.lost - seen.lost)
        self.metrics.dispatch_failures.inc(counters.send_failures - seen.send_failures)
        self._counted = replace(counters)
        self._rollups.add(results)
        pending = self._pending
        pending.statuses.update(changed)
        pending.evidence.extend(evidence)
        pending.consumed.extend(self.engine.consumed())
        pending.buckets.extend(self._take_buckets(now, final=final))
        await self._step("store", self._store_pending)
        if self._alerting.due(self.loaded, results=bool(results), final=final):
            await self._step("alerts", self._evaluate_alerts, now)
        await self._step("notify", self._notify, now)
        if not final and now - self._last_prune >= PRUNE_EVERY and self._pruning is None:
            self._last_prune = now
            self._pruning = asyncio.create_task(self._prune_in_background(now), name="prune")

    def _take_buckets(self, now: datetime, *, final: bool) -> list[Bucket]:
        """The rollups to write this cycle: the closed ones, and once a minute what the open
        hours gained since the last time (merged into their stored rows: a kill -9 loses at
        most a minute of counts, and nothing is counted twice)."""
        if final:
            return self._rollups.take_all()
        buckets = self._rollups.take_closed(now)
        minute = bucket_start(now, "minute")
        if minute != self._hours_saved_at:
            self._hours_saved_at = minute
            buckets += self._rollups.take_open("hour")
        return buckets

    async def reload(self) -> ReloadOutcome:
        """Read the config file again; switch to it only if it is valid (SIGHUP, `golive reload`
        and the API all come here). A bad file is refused and the running config stays."""
        fresh = await reread_config(self.loaded, self.environ)
        if isinstance(fresh, ReloadOutcome):
            return fresh
        return self.apply(fresh)

    def apply(self, loaded: LoadedConfig) -> ReloadOutcome:
        """Switch to ``loaded`` (already validated); unchanged checks keep their state."""
        self.loaded = loaded
        self._checks = {c.name: c for c in loaded.config.checks}
        self._announce(loaded)
        self._statuses = self._initial_statuses(self._statuses)
        self.checks_version += 1
        self._recent.forget(self._checks)
        self.engine.reload(loaded)
        self._services.reload(loaded)
        names = len(loaded.config.checks)
        log.info("configuration reloaded: %d checks", names)
        return ReloadOutcome(True, f"reloaded: {names} checks")

    # -- steps ----------------------------------------------------------------------------
    def _advance(self, results: list[CheckResult]) -> dict[str, CheckStatus]:
        changed: dict[str, CheckStatus] = {}
        checks = self._checks
        for result in results:
            check = checks.get(result.name)
            if check is None:  # removed by a reload while it ran
                continue
            previous = self._statuses.get(result.name) or CheckStatus.initial(
                result.name, result.taken_at
            )
            status = advance(
                previous, result, fail_after=check.fail_after, recover_after=check.recover_after
            )
            if status.state != previous.state:
                log.info(
                    "%s is %s (%s)",
                    result.name,
                    status.state.upper(),
                    result.error or _failures(result),
                )
            if result.inconclusive:  # golive was late: alerts and history skip the run
                log.warning("%s: %s", result.name, result.error)
                continue
            self._statuses[result.name] = changed[result.name] = status
            self.latest[result.name] = result
            self._recent.add(result.name, result.ok, result.latency_ms)
        if changed:
            self.checks_version += 1
        return changed

    def _evidence(self, results: list[CheckResult]) -> list[EvidenceRecord]:
        records = []
        for result in results:
            previous = self.latest.get(result.name)
            compact = result.ok and previous is not None and previous.ok
            records.append(result.evidence(compact=compact))
        return records

    async def _store_pending(self) -> None:
        pending = self._pending
        if not (pending.statuses or pending.evidence or pending.buckets or pending.consumed):
            return
        try:
            await asyncio.to_thread(
                flush,
                self.store,
                environment=self.loaded.environment,
                statuses=list(pending.statuses.values()),
                evidence=pending.evidence,
                buckets=pending.buckets,
                consumed=pending.consumed,
            )
        except StoreError as exc:
            self.store_writes.failed(self.clock.now(), self.loaded.secrets.redact(str(exc)))
            raise
        self.store_writes.succeeded()
        self._pending = _Pending({}, [], [], [])

    async def _evaluate_alerts(self, now: datetime) -> None:
        await self._alerting.evaluate(self.loaded, dict(self._statuses), dict(self.latest), now)

    async def _notify(self, now: datetime) -> None:
        await self._alerting.plan(self.loaded, now)
        self._deliver_now.set()

    async def _deliver_loop(self) -> None:
        """Deliver due notifications; a slow channel delays only other notifications."""
        while not self._stopping.is_set():
            self._deliver_now.clear()  # before: a wake-up during the delivery is kept
            await self._step("deliver", self._deliver)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._deliver_now.wait(), CYCLE_SECONDS)

    async def _deliver(self) -> None:
        await deliver(self.store, self.loaded, self.clock.now(), self.metrics)

    async def _prune_in_background(self, now: datetime) -> None:
        """Prune beside the cycles, not in them: batches in short transactions let the cycles
        write in between."""
        try:
            await self._step("prune", self._prune, now)
        finally:
            self._pruning = None

    async def _prune(self, now: datetime) -> None:
        await prune_store(self.store, self.loaded, now, stopping=self._stopping.is_set)

    async def _step(self, name: str, step: Callable[..., Awaitable[None]], *args: object) -> None:
        try:
            await step(*args)
        except Exception as exc:  # a failing step must not end the loop
            self.metrics.cycle_errors.labels(name).inc()
            log.error("%s failed: %s", name, self.loaded.secrets.redact(str(exc)))

    def _on_result(self, result: CheckResult) -> None:
        """A failure, or a verdict that differs from the last, may change a state: cycle now,
        not within the second (cycles never overlap, so a storm of failures costs no more)."""
        previous = self.latest.get(result.name)
        if result.inconclusive:
            return
        if not result.ok or previous is None or previous.ok != result.ok:
            self._cycle_now.set()

    def _on_lag(self, _check: object, lag: float) -> None:
        self.metrics.lag.observe(lag)

    def _initial_statuses(self, known: Mapping[str, CheckStatus]) -> dict[str, CheckStatus]:
        now = self.clock.now()
        return {
            c.name: known.get(c.name) or CheckStatus.initial(c.name, now)
            for c in self.loaded.config.checks
        }


def _engine(
    loaded: LoadedConfig,
    *,
    store: Store,
    clock: Clock,
    concurrency: int,
    on_lag: Callable[[CheckBase, float], None],
    on_result: Callable[[CheckResult], None],
) -> Engine | RemoteEngine:
    """Probes in this process, or through Celery workers when ``workers:`` names a broker and
    regions (imported only then: the embedded default never loads Celery)."""
    if not loaded.config.workers.probing:
        return Engine(
            loaded, clock=clock, concurrency=concurrency, on_lag=on_lag, on_result=on_result
        )
    from golive.scale.remote import RemoteEngine

    return RemoteEngine(loaded, store=store, clock=clock, on_lag=on_lag, on_result=on_result)


async def _cancelled(*tasks: asyncio.Task[None] | None) -> None:
    """Cancel ``tasks`` and wait until each has ended (their errors are theirs: not raised)."""
    running = [task for task in tasks if task is not None]
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)


def _failures(result: CheckResult) -> str:
    return "; ".join(f.expect for f in result.failed) or "ok"
