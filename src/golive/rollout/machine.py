"""The rollout state machine: pending → smoke → step n → promoted | rolled_back | aborted.

``advance`` moves one rollout by one tick and stores where it got to (compare-and-set on the
row's rev); traffic is set through a driver. A failed judgement rolls back on the tick that
sees it, not at the end of the pause.
"""

from __future__ import annotations

import asyncio
import shlex
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from golive.clock import SystemClock
from golive.config import LoadedConfig
from golive.config.ship import Rollout
from golive.exceptions import SourceError
from golive.incidents.timeline import append_to_open
from golive.records import EvidenceRecord, RunSummary
from golive.records.requests import RequestWindow
from golive.records.rollouts import RolloutEvent, RolloutView
from golive.rollout import edgelog
from golive.rollout.analysis_prometheus import PrometheusAnalysis, QuantileWindow
from golive.rollout.drivers import Driver, TrafficError, split
from golive.rollout.judge import Judgement, judge
from golive.rollout.notices import notice
from golive.rollout.smoke import smoke
from golive.store.rollouts import add_event, save_rollout
from golive.store.store import Store

TIMELINE_KINDS = frozenset({"step", "judgement", "promoted", "rolled_back", "aborted", "error"})
EVIDENCE_LIFETIME = timedelta(days=30)
Window = edgelog.Window | RequestWindow | QuantileWindow
NO_DATA_PAUSES = 3  # a step that never gets min_requests rolls back after this many pauses


def steps(config: Rollout, view: RolloutView) -> list[int]:
    """The percentages of the new pool, one per step."""
    if config.strategy == "blue-green":
        return [100]
    if config.strategy == "rolling":
        n = max(len(view.stable), len(view.targets))
        return [round(100 * (k + 1) / n) for k in range(n)]
    return list(config.steps)


def weights(config: Rollout, view: RolloutView, step: int | None) -> dict[str, int]:
    """The pool at ``step`` (None: all on stable); for rolling, backend k of the new pool
    replaces backend k of the stable one."""
    stable, new = list(view.stable), list(view.targets)
    if step is None:
        return split(stable, new, 0)
    if config.strategy == "rolling":
        k = step + 1
        return {a: int(i >= k) for i, a in enumerate(stable)} | {
            a: int(i < k) for i, a in enumerate(new)
        }
    return split(stable, new, steps(config, view)[step])


class Machine:
    """Advances rollouts of one config against one store, driver and edge log."""

    def __init__(
        self,
        store: Store,
        config: Rollout,
        driver: Driver,
        log: Path | None,
        *,
        environment: str = "",
        loaded: LoadedConfig | None = None,
        prometheus: PrometheusAnalysis | None = None,
    ) -> None:
        self.store, self.config, self.driver, self.log = store, config, driver, log
        self.prometheus = prometheus  # the analysis's source when it is a Prometheus server
        self.environment = environment
        self.loaded = loaded  # for the checks ``smoke:`` names

    def evidence(self, view: RolloutView, now: datetime) -> None:
        """The rollout's end as evidence (the gate and DORA read it)."""
        values = {
            "rollout_id": view.id,
            "version": view.version,
            "commit": view.commit,
            "state": view.state,
            "strategy": view.strategy,
            "started_at": view.started_at.isoformat(),
        }
        record = EvidenceRecord(
            kind="rollout",
            subject=view.name,
            ok=view.state == "promoted",
            taken_at=now,
            expires_at=now + EVIDENCE_LIFETIME,
            error=None if view.state == "promoted" else view.reason,
            values=values,
        )
        run = RunSummary("rollout", self.environment, view.started_at, now)
        self.store.record_run(run, [record])

    def event(self, view: RolloutView, now: datetime, kind: str, message: str, **data: Any) -> None:
        """A line of the deployment record, told to the rollout's channels with it (passed
        judgements are not: the next step is); steps, judgements and endings also go to every
        open incident's timeline."""
        told = None
        if self.loaded is not None and not data.get("passed"):
            told = notice(
                self.loaded.config,
                self.config,
                view,
                kind,
                message,
                data,
                total_steps=len(steps(self.config, view)),
            )
        add_event(self.store, RolloutEvent(view.id, now, kind, message, data), told)
        if kind in TIMELINE_KINDS:
            append_to_open(
                self.store,
                kind="rollout",
                at=now,
                actor="golive rollout",
                message=f"rollout {view.name} {view.version}: {kind}: {message}",
                data={"rollout": view.name, "rollout_id": view.id, "event": kind, **data},
            )

    def save(self, old: RolloutView, new: RolloutView, now: datetime) -> RolloutView | None:
        return save_rollout(self.store, replace(new, updated_at=now), read_rev=old.rev)

    async def finish(
        self, view: RolloutView, now: datetime, state: str, reason: str
    ) -> RolloutView:
        """Promoted: all on the new pool; otherwise all back on stable."""
        target = weights(
            self.config, view, len(steps(self.config, view)) - 1 if state == "promoted" else None
        )
        try:
            await self.driver.apply(target)
        except TrafficError as exc:
            self.event(view, now, "error", str(exc))
            if state == "promoted":
                return await self.finish(view, now, "rolled_back", f"promotion failed: {exc}")
            raise
        percent = 100 if state == "promoted" else 0
        done = replace(
            view, state=state, reason=reason, percent=percent, finished_at=now, request=None
        )
        self.event(view, now, state, reason, weights=target)
        saved = self.save(view, done, now)
        if saved is None:
            return view
        self.evidence(saved, now)
        return saved

    async def enter_step(self, view: RolloutView, now: datetime, step: int) -> RolloutView:
        target = weights(self.config, view, step)
        try:
            await self.driver.apply(target)
        except TrafficError as exc:
            self.event(view, now, "error", str(exc))
            return await self.finish(view, now, "rolled_back", f"traffic shift failed: {exc}")
        offset = edgelog.log_size(self.log) if self.log else 0
        percent = steps(self.config, view)[step]
        moved = replace(
            view, state="step", step=step, percent=percent, step_started_at=now, log_offset=offset
        )
        self.event(
            view,
            now,
            "step",
            f"step {step + 1}: {percent}% on {self.config.strategy}",
            weights=target,
            step=step + 1,
            percent=percent,
        )
        return self.save(view, moved, now) or view

    async def advance(self, view: RolloutView, now: datetime) -> RolloutView:
        if view.request == "abort":
            return await self.finish(view, now, "aborted", "aborted on request")
        if view.state == "pending":
            return await self.run_before(view, now)
        if view.state == "smoke":
            return await self.smoke(view, now)
        return await self.judge_step(view, now)

    async def run_before(self, view: RolloutView, now: datetime) -> RolloutView:
        for command in self.config.before:
            proc = await asyncio.create_subprocess_exec(
                *shlex.split(command),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            out, _ = await proc.communicate()
            text = out.decode(errors="replace")[-4000:]
            self.event(view, now, "before", f"`{command}` exited {proc.returncode}", output=text)
            if proc.returncode != 0:
                return await self.finish(view, now, "aborted", f"before: `{command}` failed")
        return self.save(view, replace(view, state="smoke"), now) or view

    async def smoke(self, view: RolloutView, now: datetime) -> RolloutView:
        silent = await not_listening(view.targets)
        if silent:
            return await self.finish(view, now, "aborted", f"smoke: {silent}")
        if self.config.smoke and self.loaded is not None:
            failed = await smoke(self.loaded, self.config.smoke, view.targets, clock=SystemClock())
            if failed is not None:
                self.event(view, now, "smoke", failed.reason, **failed.data)
                return await self.finish(view, now, "aborted", failed.reason)
        checks = f", passed {', '.join(self.config.smoke)}" if self.config.smoke else ""
        self.event(view, now, "smoke", f"{len(view.targets)} new backend(s) answer{checks}")
        return await self.enter_step(view, now, 0)

    async def windows(self, view: RolloutView, now: datetime) -> tuple[Window, Window]:
        """The new and stable pools' requests since the step began: from Prometheus when the
        analysis names a ``prometheus_query`` source, else from the edge's access log."""
        if self.prometheus is not None:
            return await self.prometheus.windows(view, now)
        pools = [("new", view.targets), ("stable", view.stable)]
        found = edgelog.read_pools(self.log, view.log_offset, pools) if self.log else {}
        return found.get("new", edgelog.Window()), found.get("stable", edgelog.Window())

    async def judge_step(self, view: RolloutView, now: datetime) -> RolloutView:
        try:
            new, stable = await self.windows(view, now)
            verdict = judge(new, stable, self.config.analysis)
        except SourceError as exc:  # no figures: a wait, rolled back if it lasts (NO_DATA_PAUSES)
            verdict = Judgement("wait", [f"analysis: {exc}"])
        if verdict.failed:
            self.event(view, now, "judgement", "; ".join(verdict.reasons), **verdict.values)
            return await self.finish(view, now, "rolled_back", "; ".join(verdict.reasons))
        if view.request == "promote":
            return await self.finish(view, now, "promoted", "promoted on request")
        assert view.step_started_at is not None
        baked = now - view.step_started_at
        if view.paused:
            return view
        if verdict.verdict == "wait":
            if baked >= self.config.pause * NO_DATA_PAUSES:
                return await self.finish(view, now, "rolled_back", verdict.reasons[0])
            return view
        if baked < self.config.pause:
            return view
        self.event(
            view, now, "judgement", f"step {view.step + 1} passed", passed=True, **verdict.values
        )
        if view.step + 1 >= len(steps(self.config, view)):
            return await self.finish(view, now, "promoted", "every step passed")
        return await self.enter_step(view, now, view.step + 1)

    async def resume(self, view: RolloutView, now: datetime) -> RolloutView:
        """A process that did not see the last tick sets the traffic its step asks for again;
        when it cannot, everything goes back to stable."""
        if view.state != "step":
            return view
        silent = await not_listening(view.targets)
        if silent:
            return await self.finish(view, now, "rolled_back", f"could not resume: {silent}")
        try:
            await self.driver.apply(weights(self.config, view, view.step))
        except TrafficError as exc:
            return await self.finish(view, now, "rolled_back", f"could not resume: {exc}")
        self.event(view, now, "resumed", f"resumed at step {view.step + 1}")
        return view


async def not_listening(targets: tuple[str, ...]) -> str | None:
    """Why the first of ``targets`` that does not accept a connection is silent, or None."""
    for target in targets:
        host, _, port = target.rpartition(":")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), 3)
            writer.close()
        except (OSError, TimeoutError, ValueError) as exc:
            return f"{target} is not listening ({exc or 'timed out'})"
    return None
