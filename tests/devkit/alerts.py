"""Helpers shared by the alert tests (imported by name; conftest.py holds the fixtures): a
config from YAML, checks whose results we decide, and the evaluator run on a manual clock."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from golive.alerts import evaluate
from golive.clock import ManualClock
from golive.config import LoadedConfig, load_config
from golive.engine.results import CheckResult, Failure
from golive.engine.state import advance
from golive.records import AlertView, CheckStatus, Evaluation, Signal, SilenceView, Transition
from golive.store import Store
from golive.store.alerts import load_alerts, save_evaluation

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # a Sunday


def load(tmp_path: Path, body: str, name: str = "golive.yaml") -> LoadedConfig:
    path = tmp_path / name
    path.write_text("version: 1\nproject: shop\n" + textwrap.dedent(body))
    return load_config(path, environ={})


class World:
    """Checks run when told to; ``evaluate()`` decides alerts like the serve loop would."""

    def __init__(self, config: LoadedConfig, *, store: Store | None = None) -> None:
        self.config = config
        self.clock = ManualClock(NOW)
        self.statuses: dict[str, CheckStatus] = {}
        self.latest: dict[str, CheckResult] = {}
        self.current: dict[str, AlertView] = {}
        self.silences: list[SilenceView] = []
        self.store = store
        self.events: list[Transition] = []
        self.signals: dict[str, Signal] = {}

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def run(
        self,
        name: str,
        ok: bool,
        *,
        error: str | None = None,
        failed: tuple[Failure, ...] = (),
        **fields: Any,
    ) -> None:
        check = self.config.config.check(name)
        fields = {"ok_connect": ok or error is None, "latency_ms": 12.0, "error": error} | fields
        result = CheckResult(
            name=name,
            component=check.component,
            kind=check.kind,
            target=f"{check.kind}://{name}",
            ok=ok,
            latency_ms=fields["latency_ms"],
            error=error,
            failed=failed,
            fields=fields,
            taken_at=self.now,
        )
        previous = self.statuses.get(name) or CheckStatus.initial(name, self.now)
        self.statuses[name] = advance(
            previous, result, fail_after=check.fail_after, recover_after=check.recover_after
        )
        self.latest[name] = result

    def fail(self, *names: str, status: int = 503, error: str | None = None) -> None:
        for name in names:
            failure = () if error else (Failure("status < 400", {"status": status}),)
            self.run(name, False, error=error, failed=failure, status=status)

    def succeed(self, *names: str, **fields: Any) -> None:
        for name in names:
            self.run(name, True, **({"status": 200} | fields))

    def evaluate(self) -> Evaluation:
        if self.store is not None:
            self.current = load_alerts(self.store)
        evaluation = evaluate(
            self.config,
            self.statuses,
            self.latest,
            self.current,
            self.silences,
            self.now,
            self.signals,
        )
        if self.store is not None:
            save_evaluation(self.store, evaluation)
        self.current = evaluation.apply(self.current)
        self.events.extend(evaluation.events)
        return evaluation

    def signal(self, rule: str, error: str | None = None, **values: float) -> None:
        """The metrics service's latest values for ``rule``, taken now."""
        self.signals[rule] = Signal(rule, self.now, dict(values), error, target="requests")

    def later(self, by: timedelta = timedelta(minutes=1)) -> World:
        self.clock.advance(by)
        return self

    def alert(self, name: str) -> AlertView:
        """The active alert called ``name``."""
        (found,) = [a for a in self.current.values() if a.name == name]
        return found

    def silence(self, matchers: dict[str, Any], *, hours: float = 1, id: int = 1) -> SilenceView:
        silence = SilenceView(
            id=id,
            matchers=matchers,
            starts_at=self.now,
            ends_at=self.now + timedelta(hours=hours),
            created_by="alice",
            reason="deploying",
            created_at=self.now,
        )
        self.silences.append(silence)
        return silence


def moves(evaluation: Evaluation) -> list[tuple[str, str]]:
    """``[(alert name, transition)]`` of an evaluation, in order."""
    return [(e.payload["name"], e.transition) for e in evaluation.events]
