"""The scheduler's side of the scaled wiring: which due check goes to which region's queue.

The ``Dispatcher`` keeps the single process's timing (``golive.engine.scheduler``) and sends,
per region, the due checks as batches (one probe task each). A check whose previous dispatch
in a region is still unanswered is skipped there (counted), as the single process skips a
check still running; an answer that never comes (a dead worker, a dropped task) is given up
after the check's timeout plus one interval, so no check stays stuck.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from golive.config import CheckBase, LoadedConfig
from golive.engine.scheduler import Scheduler
from golive.scale.quorum import regions_of
from golive.scale.tasks import Batch, Item

log = logging.getLogger("golive.dispatch")

BATCH_SIZE = 50  # checks per task: big enough to fill a worker's loop, small to spread out


@dataclass(frozen=True)
class Round:
    """One due check sent to some regions under one dispatch id."""

    dispatch: str
    check: CheckBase
    regions: tuple[str, ...]
    due: float  # monotonic


@dataclass
class DispatchCounters:
    dispatched: int = 0  # (check, region) runs sent
    skipped: int = 0  # not sent: the previous one in that region was unanswered
    lost: int = 0  # given up: sent, never answered in time
    send_failures: int = 0  # batches the broker did not take


@dataclass
class Plan:
    """What one pass of the dispatcher decided: the batches to send and the rounds they open."""

    batches: list[Batch] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)


class Dispatcher:
    """Decides, on the scheduler's timing, which (check, region) runs to send now."""

    def __init__(
        self, loaded: LoadedConfig, *, batch_size: int = BATCH_SIZE, start: float | None = None
    ) -> None:
        self.loaded = loaded
        self.batch_size = batch_size
        self.counters = DispatchCounters()
        self._scheduler = Scheduler(
            loaded.runnable_checks(), start=time.monotonic() if start is None else start
        )
        self._waiting: dict[tuple[str, str], float] = {}  # (check, region) -> give up at

    def reload(self, loaded: LoadedConfig, *, now: float) -> None:
        self.loaded = loaded
        self._scheduler.replace(loaded.runnable_checks(), now=now)

    def next_wakeup(self) -> float | None:
        return self._scheduler.next_wakeup()

    def plan(self, now: float, *, epoch: Callable[[], float] = time.time) -> Plan:
        """The batches for every check due at ``now`` (monotonic seconds)."""
        self._give_up(now)
        by_region: dict[str, list[Item]] = {}
        plan = Plan()
        offset = epoch() - now  # due times travel as epoch seconds
        for due in self._scheduler.due(now):
            check = due.check
            regions = []
            for region in regions_of(self.loaded, check):
                if (check.name, region) in self._waiting:
                    self.counters.skipped += 1
                    continue
                regions.append(region)
            if not regions:
                continue
            dispatch = uuid.uuid4().hex
            give_up = now + check.timeout.total_seconds() + check.every.total_seconds()
            for region in regions:
                self._waiting[(check.name, region)] = give_up
                by_region.setdefault(region, []).append(Item(dispatch, check.name, due.at + offset))
            plan.rounds.append(Round(dispatch, check, tuple(regions), due.at))
        path, environment = str(self.loaded.path.resolve()), self.loaded.environment
        for region, items in by_region.items():
            for start in range(0, len(items), self.batch_size):
                chunk = tuple(items[start : start + self.batch_size])
                plan.batches.append(Batch(path, environment, region, chunk))
        return plan

    def sent(self, batch: Batch, *, ok: bool) -> None:
        """Count a batch handed to the broker, or free its checks for the next slot."""
        if ok:
            self.counters.dispatched += len(batch.items)
            return
        self.counters.send_failures += 1
        for item in batch.items:
            self._waiting.pop((item.check, batch.region), None)

    def answered(self, check: str, region: str) -> None:
        """A region's result of ``check`` arrived: its next slot may be sent."""
        self._waiting.pop((check, region), None)

    def _give_up(self, now: float) -> None:
        lost = [key for key, until in self._waiting.items() if until <= now]
        for key in lost:
            del self._waiting[key]
        if lost:  # one line a pass, not one a check: a dead region has thousands
            regions = ", ".join(sorted({region for _, region in lost}))
            log.warning(
                "no answer for %d runs (regions %s): sent again at their next slot",
                len(lost),
                regions,
            )
        self.counters.lost += len(lost)
