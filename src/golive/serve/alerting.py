"""The alert step of `golive serve`'s cycle: check states and services' signals → alert states
in the store, then new alert events → the outbox.

``AlertCycle`` keeps what the step needs between cycles: the latest signal of each rule a
service feeds (``signal``), whether an evaluation is due at all (``due``: an alert opens only on
a result or a signal, so a quiet cycle with nothing pending or firing skips it), and the
problems already logged (once each, not every second).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime

from golive.alerts import evaluate
from golive.config import LoadedConfig
from golive.engine.results import CheckResult
from golive.notify import plan
from golive.records import CheckStatus, Signal
from golive.serve.metrics import Metrics
from golive.store import Store
from golive.store.alerts import load_alerts, load_silences, save_evaluation

log = logging.getLogger("golive.serve")


class AlertCycle:
    """Alert evaluation and notification planning over one store, cycle after cycle."""

    def __init__(self, store: Store, metrics: Metrics) -> None:
        self._store = store
        self._metrics = metrics
        self._told: set[str] = set()
        self._evaluated: tuple[LoadedConfig, int] | None = None  # config, active alerts then
        self._signals: dict[str, Signal] = {}  # the latest of each rule fed by a service
        self.signals_changed = False

    def signal(self, signals: Sequence[Signal]) -> None:
        """A service's new signals: the next cycle evaluates alerts even if nothing else moved."""
        for signal in signals:
            if self._signals.get(signal.rule) != signal:
                self._signals[signal.rule] = signal
                self.signals_changed = True

    def due(self, loaded: LoadedConfig, *, results: bool, final: bool) -> bool:
        """False when no alert can open, move or close this cycle: no new results or signals
        since an evaluation of this configuration that left no alert pending or firing (an
        alert opens only on a result or a signal; time, silences, windows and
        acknowledgements act on open ones)."""
        return (
            results
            or final
            or self.signals_changed
            or self._evaluated is None
            or self._evaluated != (loaded, 0)
        )

    async def evaluate(
        self,
        loaded: LoadedConfig,
        statuses: Mapping[str, CheckStatus],
        latest: Mapping[str, CheckResult],
        now: datetime,
    ) -> None:
        """Alert states from check states; the store (not memory) is the truth, so that
        acknowledgements and silences made through the API count at once."""
        signals, self.signals_changed = dict(self._signals), False
        store = self._store

        def evaluate_and_save() -> dict[str, int]:
            current = load_alerts(store)
            silences = load_silences(store, now=now, include_expired=False)
            evaluation = evaluate(loaded, statuses, latest, current, silences, now, signals)
            save_evaluation(store, evaluation)
            for problem in evaluation.problems:
                if problem not in self._told:  # once, not every second
                    self._told.add(problem)
                    log.warning("alerts: %s", problem)
            counts = {"pending": 0, "firing": 0}
            for alert in evaluation.apply(current).values():
                counts[alert.state] = counts.get(alert.state, 0) + 1
            return counts

        try:
            counts = await asyncio.to_thread(evaluate_and_save)
        except Exception:
            self.signals_changed = True  # judge them next cycle
            raise
        for state, count in counts.items():
            self._metrics.alerts.labels(state).set(count)
        self._evaluated = (loaded, counts["pending"] + counts["firing"])

    async def plan(self, loaded: LoadedConfig, now: datetime) -> None:
        """Route new alert events into the outbox (delivery runs in its own loop)."""
        planned = await asyncio.to_thread(
            plan, self._store, loaded.config, now, secrets=loaded.secrets, base_dir=loaded.base_dir
        )
        for error in planned.errors:
            self._metrics.cycle_errors.labels("notify").inc()
            log.error("notify: %s", error)
