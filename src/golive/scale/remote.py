"""The evaluator's side of the scaled wiring: ``RemoteEngine`` has the ``Engine`` interface
(``run``, ``drain``, ``reload``, ``stop``, ``submit``, ``counters``), so `golive serve` runs its
unchanged cycle on results that Celery workers measured in several regions.

It dispatches due checks (``Dispatcher``), reads the workers' new results from the store's
inbox (``Inbox``), keeps each region's latest run of each check, and when a round's regions have
all answered (or its time is up) hands the quorum's verdict (``golive.scale.quorum``) to the
cycle. The inbox rows behind a drained verdict come back from ``consumed()``; the cycle deletes
them in the transaction that stores the verdict, so a restart neither loses nor recounts one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from celery import Celery

from golive.clock import Clock
from golive.config import CheckBase, LoadedConfig
from golive.engine.loop import MAX_IDLE, EngineBase
from golive.engine.results import CheckResult
from golive.scale.dispatch import Dispatcher, Round
from golive.scale.payload import from_payload
from golive.scale.quorum import combine, quorum_of, regions_of
from golive.scale.tasks import Batch, make_app, send
from golive.store import Store
from golive.store.scale import InboxEntry, inbox_ids, read_results

log = logging.getLogger("golive.dispatch")

POLL_SECONDS = 0.2  # how often the inbox is read
GRACE_SECONDS = 2.0  # a round waits this long past its timeout for slow regions
READ_CHUNK = 1_000  # rows per read of payloads
CLOSED_KEPT = 50_000  # closed dispatch ids remembered (a late answer is not a new round)


class Inbox:
    """Reads the inbox rows not read before. Not by a cursor over ids: workers commit in any
    order, so a row with a lower id may appear after a higher one was read. The rows still in
    the inbox are those not yet stored as a verdict (the cycle deletes them), so the reader
    remembers which of those it has read, and a restarted one reads them all again."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._read: set[int] = set()  # read, and still in the inbox

    def read(self) -> list[InboxEntry]:
        present = inbox_ids(self.store)
        new = [i for i in present if i not in self._read]
        self._read.intersection_update(present)  # the others were deleted
        entries: list[InboxEntry] = []
        for start in range(0, len(new), READ_CHUNK):
            chunk = new[start : start + READ_CHUNK]
            entries.extend(read_results(self.store, ids=chunk, limit=len(chunk)))
        self._read.update(e.id for e in entries)
        return entries


@dataclass
class _Open:
    round: Round
    closes_at: float  # monotonic
    answered: set[str] = field(default_factory=set)
    ids: list[int] = field(default_factory=list)


class RemoteEngine(EngineBase):
    """Runs the checks of a config through Celery workers until stopped."""

    def __init__(
        self,
        loaded: LoadedConfig,
        *,
        store: Store,
        clock: Clock,
        app: Celery | None = None,
        on_lag: Callable[[CheckBase, float], None] | None = None,
        on_result: Callable[[CheckResult], None] | None = None,
    ) -> None:
        broker = loaded.config.workers.broker
        assert broker is not None, "RemoteEngine needs workers.broker"
        super().__init__(loaded, clock=clock, on_lag=on_lag, on_result=on_result)
        self.dispatcher = Dispatcher(loaded)
        self.inbox = Inbox(store)
        self.app = app or make_app(broker)
        self.latest: dict[str, dict[str, CheckResult]] = {}  # check -> region -> latest run
        self._checks = {c.name: c for c in loaded.runnable_checks()}
        self._open: dict[str, _Open] = {}
        self._closed: deque[str] = deque(maxlen=CLOSED_KEPT)
        self._closed_set: set[str] = set()
        self._consumed: list[int] = []

    # -- the Engine interface (drain, submit and stop come from EngineBase) ---------------------
    def consumed(self) -> list[int]:
        """The inbox rows behind the results drained so far (delete them with those)."""
        ids, self._consumed = self._consumed, []
        return ids

    def reload(self, loaded: LoadedConfig) -> None:
        self.loaded = loaded
        self._checks = {c.name: c for c in loaded.runnable_checks()}
        self.dispatcher.reload(loaded, now=time.monotonic())
        self._wake.set()

    async def run(self) -> None:
        while not self._stopping:
            now = time.monotonic()
            plan = self.dispatcher.plan(now)
            counted = self.dispatcher.counters
            self.counters.skipped, self.counters.lost = counted.skipped, counted.lost
            for due in plan.rounds:
                self.open_round(due, now=now)
            if plan.batches:
                await asyncio.to_thread(self._send, plan.batches)
            try:
                entries = await asyncio.to_thread(self.inbox.read)
            except Exception as exc:  # the store is away: read again on the next pass
                log.error("cannot read the inbox: %s", exc)
                entries = []
            self.receive(entries, now=time.monotonic())
            self.close_due(time.monotonic())
            wakeup = self.dispatcher.next_wakeup()
            delay = POLL_SECONDS if wakeup is None else max(0.0, wakeup - time.monotonic())
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(delay, POLL_SECONDS, MAX_IDLE))

    # -- rounds -------------------------------------------------------------------------------
    def open_round(self, due: Round, *, now: float) -> None:
        """Wait for the regions ``due`` was sent to (counting how late it was sent)."""
        self._open[due.dispatch] = _Open(due, self._closing_time(due.check, due.due))
        lag = now - due.due
        self.counters.lag_seconds.append(lag)
        if self.on_lag is not None:
            self.on_lag(due.check, lag)

    def receive(self, entries: list[InboxEntry], *, now: float) -> None:
        """File each region's result under its round; close the rounds all regions answered."""
        checks = self._checks
        for entry in entries:
            check = checks.get(entry.check)
            self.dispatcher.answered(entry.check, entry.region)
            if check is None:  # removed by a reload: nothing to judge, the row goes
                self._consumed.append(entry.id)
                continue
            result = from_payload(entry.payload)
            latest = self.latest.setdefault(check.name, {})
            previous = latest.get(entry.region)
            if previous is None or previous.taken_at <= result.taken_at:
                latest[entry.region] = result
            opened = self._open.get(entry.dispatch)
            if opened is None and entry.dispatch in self._closed_set:  # a late answer
                self._consumed.append(entry.id)
                continue
            if opened is None:  # sent before a restart: judged like a round of this process
                due = Round(entry.dispatch, check, tuple(regions_of(self.loaded, check)), now)
                opened = self._open[entry.dispatch] = _Open(due, self._closing_time(check, now))
            opened.answered.add(entry.region)
            opened.ids.append(entry.id)
            if opened.answered >= set(opened.round.regions):
                self._close(entry.dispatch)

    def close_due(self, now: float) -> None:
        """Close the rounds whose time is up, with whatever their regions answered."""
        for dispatch in [d for d, o in self._open.items() if o.closes_at <= now]:
            self._close(dispatch)

    def _close(self, dispatch: str) -> None:
        opened = self._open.pop(dispatch)
        self._closed.append(dispatch)
        self._closed_set.add(dispatch)
        if len(self._closed_set) > CLOSED_KEPT:
            self._closed_set = set(self._closed)
        if not opened.answered:  # nothing new measured (lost, or never sent): no verdict
            return
        check = self._current(opened.round.check)
        regions = regions_of(self.loaded, check)
        latest = self.latest.get(check.name, {})
        verdict = combine(
            check,
            {r: latest.get(r) for r in regions},
            self.clock.now(),
            regions=regions,
            quorum=quorum_of(check, regions),
        )
        self._consumed.extend(opened.ids)
        if verdict is not None:
            self.submit(verdict)
        else:
            log.info("%s: no verdict, too few fresh regions for its quorum", check.name)

    def _current(self, check: CheckBase) -> CheckBase:
        """The check as the config has it now (a reload may have changed it)."""
        return self._checks.get(check.name, check)

    @staticmethod
    def _closing_time(check: CheckBase, due: float) -> float:
        return due + check.timeout.total_seconds() + GRACE_SECONDS

    def _send(self, batches: list[Batch]) -> None:
        failed: Exception | None = None
        for batch in batches:
            if failed is None:
                try:
                    send(self.app, batch, expires=self._expiry(batch))
                except Exception as exc:  # broker down: the next slots try again
                    failed = exc
                else:
                    self.dispatcher.sent(batch, ok=True)
                    continue
            self.dispatcher.sent(batch, ok=False)  # after one failure, not each its own wait
        self.counters.send_failures = self.dispatcher.counters.send_failures
        if failed is not None:
            log.error("cannot send checks to the broker: %s", failed)

    def _expiry(self, batch: Batch) -> float:
        """A batch expires when its first check is due again (an old run is not worth doing)."""
        checks = self._checks
        every = [checks[i.check].every.total_seconds() for i in batch.items if i.check in checks]
        return min(every, default=60.0)
