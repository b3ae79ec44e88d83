"""The leased parts of `golive serve` when workers probe, split from ``RemoteEngine``: the
scheduler (``Scheduler``) sends the due checks to their regions' queues; the evaluator
(``listening_engine``) judges by quorum what the workers answered, and sends nothing.

The scheduler learns that a region answered a check from the inbox (read, never consumed: the
evaluator deletes the rows once their verdict is stored), so the check's next slot goes out; an
answer it did not see in time is given up after the check's timeout plus one interval. Sending
is not a store write, so before each pass's sends the scheduler checks its lease in a fenced
transaction: a scheduler that lost its lease while paused sends nothing when it wakes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from golive.clock import Clock
from golive.config import CheckBase, LoadedConfig
from golive.engine.results import CheckResult
from golive.scale.dispatch import Dispatcher, Plan, Round
from golive.scale.remote import RemoteEngine
from golive.scale.tasks import Batch
from golive.store import Store
from golive.store.scale import InboxEntry

log = logging.getLogger("golive.dispatch")


class Scheduler(RemoteEngine):
    """The scheduler role while it leads (a ``roles.Part``): ``RemoteEngine``'s dispatching on
    the single process's timing, without its judging (the evaluator's lease does that)."""

    def __init__(self, loaded: LoadedConfig, *, store: Store, clock: Clock) -> None:
        super().__init__(loaded, store=store, clock=clock)
        self.store = store  # fenced by the scheduler lease

    def open_round(self, due: Round, *, now: float) -> None:
        """Nothing to wait for here: the evaluator forms the round from its answers."""

    def receive(self, entries: list[InboxEntry], *, now: float) -> None:
        """Each region's answer frees that check's next slot in that region."""
        for entry in entries:
            self.dispatcher.answered(entry.check, entry.region)

    def close_due(self, now: float) -> None:
        """No round is judged here."""

    def _send(self, batches: list[Batch]) -> None:
        try:
            with self.store.writing("check the scheduler lease"):
                pass  # the fenced store's every transaction first checks the lease
        except Exception as exc:
            for batch in batches:
                self.dispatcher.sent(batch, ok=False)  # their checks go out at the next slot
            log.error("not dispatching %d batches: %s", len(batches), exc)
            return
        super()._send(batches)

    def abandon(self) -> None:
        """Stop at once: nothing is left to store, the next send is the new leader's."""
        self.stop()

    def apply(self, loaded: LoadedConfig) -> None:
        """Switch to ``loaded`` (validated): unchanged checks keep their schedule."""
        self.reload(loaded)


class _Listening(Dispatcher):
    """A dispatcher that sends nothing: the evaluator's, while the scheduler lease sends."""

    def plan(self, now: float, *, epoch: Callable[[], float] = time.time) -> Plan:
        return Plan()

    def next_wakeup(self) -> float | None:
        return None


def listening_engine(
    loaded: LoadedConfig,
    *,
    store: Store,
    clock: Clock,
    concurrency: int,
    on_lag: Callable[[CheckBase, float], None],
    on_result: Callable[[CheckResult], None],
) -> RemoteEngine:
    """The evaluator's engine with workers: the workers' answers judged by quorum, as in
    ``RemoteEngine``, with the dispatching left to the scheduler's lease (each answer opens its
    round, which closes when all its regions answered or its time is up)."""
    del concurrency  # the workers' concern
    engine = RemoteEngine(loaded, store=store, clock=clock, on_lag=on_lag, on_result=on_result)
    engine.dispatcher = _Listening(loaded)
    return engine
