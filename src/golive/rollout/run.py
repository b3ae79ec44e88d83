"""Entry points the service and the CLI share: advance every active rollout once, start one,
ask one to promote / pause / resume / abort."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

from golive.config import LoadedConfig
from golive.config.ship import PromQueries, Rollout
from golive.exceptions import UsageError
from golive.records.rollouts import RolloutEvent, RolloutView
from golive.rollout.analysis_prometheus import PrometheusAnalysis
from golive.rollout.drivers import driver_for
from golive.rollout.machine import Machine
from golive.store.rollouts import (
    active_rollout,
    active_rollouts,
    add_event,
    save_rollout,
    start_rollout,
)
from golive.store.store import Store


def rollout_config(loaded: LoadedConfig, name: str) -> Rollout:
    for rollout in loaded.config.rollouts:
        if rollout.name == name:
            return rollout
    raise UsageError.unknown("rollout", name, [r.name for r in loaded.config.rollouts])


def edge_log(loaded: LoadedConfig, rollout: Rollout) -> Path | None:
    """The access log of the metrics source ``analysis.requests`` names (relative paths are
    from the config file's folder)."""
    for source in loaded.config.metrics:
        if source.name == rollout.analysis.requests and source.access_log is not None:
            return loaded.base_dir / source.access_log.path
    return None


def prometheus_analysis(loaded: LoadedConfig, rollout: Rollout) -> PrometheusAnalysis | None:
    """The Prometheus server ``analysis.requests`` names, with the analysis's query templates
    (or the defaults); None when the analysis reads another kind of source."""
    for source in loaded.config.metrics:
        if source.name == rollout.analysis.requests and source.prometheus_query is not None:
            queries = rollout.analysis.queries or PromQueries()
            return PrometheusAnalysis(source.prometheus_query.url, queries)
    return None


def machine(store: Store, loaded: LoadedConfig, rollout: Rollout) -> Machine:
    return Machine(
        store,
        rollout,
        driver_for(rollout),
        edge_log(loaded, rollout),
        environment=loaded.environment,
        loaded=loaded,
        prometheus=prometheus_analysis(loaded, rollout),
    )


def start(
    store: Store,
    loaded: LoadedConfig,
    name: str,
    *,
    targets: list[str],
    version: str,
    commit: str | None,
    now: datetime,
) -> RolloutView:
    config = rollout_config(loaded, name)
    if not targets:
        raise UsageError(
            f"rollout {name}: give the new pool with --to HOST:PORT[,...] (or canary:)"
        )
    for target in targets:
        host, _, port = target.rpartition(":")
        if not host or not port.isdigit():
            raise UsageError(f"--to {target!r}: expected HOST:PORT such as 127.0.0.1:8002")
    if config.strategy == "rolling" and len(targets) != len(config.stable):
        raise UsageError(
            f"rolling replaces one backend at a time: --to needs {len(config.stable)} targets"
        )
    view = start_rollout(
        store,
        name=name,
        strategy=config.strategy,
        version=version,
        commit=commit,
        targets=targets,
        stable=list(config.stable),
        now=now,
    )
    pools = f"{', '.join(targets)} (stable: {', '.join(config.stable)})"
    machine(store, loaded, config).event(view, now, "started", f"{config.strategy} to {pools}")
    return view


async def tick(
    store: Store,
    loaded: LoadedConfig,
    now: datetime,
    resumed: set[int],
    judged: dict[int, datetime] | None = None,
) -> list[RolloutView]:
    """Advance each active rollout of the config once; ``resumed`` holds the ids this process
    has already re-applied (a rollout it has not seen gets its step's traffic set again);
    ``judged`` keeps a step's analysis to one per ``interval``."""
    judged = {} if judged is None else judged
    moved = []
    for view in active_rollouts(store):
        names = [r.name for r in loaded.config.rollouts]
        if view.name not in names:
            continue
        config = rollout_config(loaded, view.name)
        one = machine(store, loaded, config)
        if view.id not in resumed:
            resumed.add(view.id)
            view = await one.resume(view, now)
            if not view.active:
                moved.append(view)
                continue
        last = judged.get(view.id)
        if view.state == "step" and not view.request and last and now - last < config.interval:
            continue
        judged[view.id] = now
        moved.append(await one.advance(view, now))
    return moved


def request(
    store: Store, name: str, what: str, now: datetime, *, loaded: LoadedConfig | None = None
) -> RolloutView:
    """Ask the service to ``promote`` / ``abort`` / ``pause`` / ``resume`` rollout ``name``; a
    pause or resume is recorded (and told, given the ``loaded`` config) at once."""
    for _attempt in range(5):
        view = active_rollout(store, name)
        if view is None:
            raise UsageError(f"no rollout of {name} is running (`golive rollout history {name}`)")
        if what == "promote" and view.state != "step":
            raise UsageError(
                f"rollout {name} is in {view.state}: it can be promoted once it has a step"
                " under analysis"
            )
        if what in ("pause", "resume"):
            new = replace(view, paused=what == "pause", updated_at=now)
        else:
            new = replace(view, request=what, updated_at=now)
        saved = save_rollout(store, new, read_rev=view.rev)
        if saved is not None and what in ("pause", "resume") and view.paused != saved.paused:
            where = f"at step {view.step + 1} ({view.percent}% on the new pool)"
            if loaded is not None:
                config = rollout_config(loaded, name)
                one = machine(store, loaded, config)
                one.event(saved, now, f"{what}d", f"{what}d on request {where}")
            else:
                add_event(store, RolloutEvent(view.id, now, f"{what}d", f"{what}d on request"))
        if saved is not None:
            return saved
    raise UsageError(f"rollout {name} kept changing; try again")
