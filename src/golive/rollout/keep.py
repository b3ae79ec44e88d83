"""Blue-green's ``keep_old``: after a promotion the old pool stays on the balancer (nginx
``backup``, haproxy drained) for ``keep_old``; ``switch_back`` within that time sends all
traffic to it at once, and ``retire_old`` takes it off the balancer once the time is over."""

from __future__ import annotations

from datetime import datetime

from golive.config import LoadedConfig
from golive.exceptions import UsageError
from golive.records.rollouts import RolloutView
from golive.rollout.drivers import REMOVED, TrafficError
from golive.rollout.run import machine, rollout_config
from golive.store.rollouts import latest_rollout, rollout_events
from golive.store.store import Store

RETIRED = "old_removed"  # the event that marks the old pool as taken off the balancer


def kept_until(loaded: LoadedConfig, view: RolloutView) -> datetime | None:
    """Until when a promoted blue-green rollout keeps its old pool (None: it does not)."""
    if view.state != "promoted" or view.strategy != "blue-green" or view.finished_at is None:
        return None
    return view.finished_at + rollout_config(loaded, view.name).keep_old


def _retired(store: Store, view: RolloutView) -> bool:
    return any(e.kind == RETIRED for e in rollout_events(store, view.id))


async def switch_back(store: Store, loaded: LoadedConfig, name: str, now: datetime) -> RolloutView:
    """All traffic back on the old pool of ``name``'s last blue-green promotion, at once;
    refused once ``keep_old`` is over (the old pool is gone from the balancer then)."""
    config = rollout_config(loaded, name)
    view = latest_rollout(store, name)
    if view is None or view.state != "promoted":
        state = "has never run" if view is None else f"is {view.state} (#{view.id})"
        hint = "`golive rollout abort` stops a running one" if view and view.active else ""
        raise UsageError(
            f"rollout {name} {state}: only a promoted one can be switched back {hint}".strip()
        )
    until = kept_until(loaded, view)
    if until is None:
        raise UsageError(
            f"rollout {name} #{view.id} is {view.strategy}: only blue-green keeps the old pool"
            " to switch back to"
        )
    if now >= until or _retired(store, view):
        raise UsageError(
            f"rollout {name} #{view.id}: keep_old ended at {until.isoformat(timespec='seconds')},"
            " the old pool is no longer on the balancer; start a rollout to the old version"
        )
    return await machine(store, loaded, config).finish(
        view, now, "rolled_back", "switched back to the old pool on request"
    )


async def retire_old(store: Store, loaded: LoadedConfig, now: datetime) -> list[RolloutView]:
    """Take the old pool of each blue-green promotion whose ``keep_old`` is over off the
    balancer (nginx: out of the upstream file; haproxy: maint); each once, recorded."""
    retired = []
    for config in loaded.config.rollouts:
        view = latest_rollout(store, config.name)
        until = None if view is None else kept_until(loaded, view)
        if view is None or until is None or now < until or _retired(store, view):
            continue
        pool = {a: REMOVED for a in view.stable if a not in view.targets}
        pool |= dict.fromkeys(view.targets, 1)
        one = machine(store, loaded, config)
        try:
            await one.driver.apply(pool)
        except TrafficError as exc:
            message = f"could not remove the old pool: {exc}"
            last = rollout_events(store, view.id)[-1:]
            if not last or last[0].message != message:  # once, not on every tick it retries
                one.event(view, now, "error", message)
            continue
        message = f"keep_old over: old pool {', '.join(view.stable)} removed from the balancer"
        one.event(view, now, RETIRED, message, weights=pool)
        retired.append(view)
    return retired
