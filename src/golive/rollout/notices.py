"""Who hears of a rollout's events, and what they read: one message per event, written to the
outbox with the event (``golive.store.rollouts.add_event``) and delivered like every other
notification.

Channels: the rollout's ``notify:`` list when it has one (``[]``: nobody), else the ``to`` of
the first route of ``notify.routes`` whose ``match`` fits the event's fields ``rollout`` (its
name), ``event`` (started, smoke, step, judgement, ...) and ``strategy``. Routes that only
digest or only escalate are passed over: a rollout is told as it happens, and pages nobody.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from golive.config.root import ConfigBase
from golive.config.ship import Rollout
from golive.notify.route import effective_routes, fits
from golive.records.rollouts import Notice, RolloutView

# every kind a rollout records but `before` (its output is on the record; a failure aborts,
# and the abort is told) and passed judgements (the next step is told instead)
TOLD = frozenset(
    {
        "started",
        "smoke",
        "step",
        "judgement",
        "promoted",
        "rolled_back",
        "aborted",
        "paused",
        "resumed",
        "error",
        "old_removed",
    }
)
FAILURE = frozenset({"judgement", "rolled_back", "aborted", "error"})
HEADLINES = {
    "started": "started",
    "judgement": "judgement failed, rolling back",
    "promoted": "promoted",
    "rolled_back": "rolled back",
    "aborted": "aborted",
    "paused": "paused",
    "resumed": "resumed",
    "error": "error",
    "old_removed": "old pool removed",
}


def channels(config: ConfigBase, rollout: Rollout, kind: str) -> tuple[str, ...]:
    """The channels told of a ``kind`` event of ``rollout`` (see the module docstring)."""
    if rollout.notify is not None:
        return tuple(rollout.notify)
    fields = {"rollout": rollout.name, "event": kind, "strategy": rollout.strategy}
    for route in effective_routes(config.notify):
        if route.to and not route.digest and fits(route, fields.get):
            return route.to
    return ()


def notice(
    config: ConfigBase,
    rollout: Rollout,
    view: RolloutView,
    kind: str,
    message: str,
    data: Mapping[str, Any],
    *,
    total_steps: int,
) -> Notice | None:
    """The message of one event, or None when nobody is told of it."""
    if kind not in TOLD:
        return None
    told = channels(config, rollout, kind)
    if not told:
        return None
    step, percent = int(data.get("step", view.step + 1)), int(data.get("percent", view.percent))
    if kind == "step":
        headline = f"step {step} of {total_steps}, {percent}% on the new pool"
    elif kind == "smoke":
        headline = "smoke failed" if data.get("failed") else "smoke passed"
    else:
        headline = HEADLINES[kind]
    failed = kind in FAILURE or (kind == "smoke" and bool(data.get("failed")))
    lines = [
        message,
        "",
        f"rollout: {view.name} #{view.id} ({view.strategy}), version {view.version}"
        + (f", commit {view.commit}" if view.commit else ""),
        (
            f"step: {step} of {total_steps}, {percent}% on the new pool"
            if kind == "step" or view.state == "step"
            else f"step: none yet ({total_steps} planned), all traffic on stable"
        ),
        f"new pool: {', '.join(view.targets)}; stable: {', '.join(view.stable)}",
    ]
    weights = data.get("weights")
    if isinstance(weights, Mapping) and weights:
        lines.append("weights: " + ", ".join(f"{a} {w}" for a, w in weights.items()))
    figures = describe(data)
    if figures:
        lines.append("figures: " + figures)
    return Notice(
        channels=told,
        title=f"rollout {view.name} {view.version}: {headline}",
        body="\n".join(lines),
        notify_type="failure" if failed else "success" if kind == "promoted" else "info",
        group_key=f"rollout:{view.name}#{view.id}",
    )


def describe(data: Mapping[str, Any]) -> str:
    """A judgement's figures in a line: counts whole, rates in %, latencies in ms."""
    shown = []
    for key, value in data.items():
        if not isinstance(value, int | float) or isinstance(value, bool):
            continue
        if key in ("step", "percent"):
            continue
        if key.endswith("error_rate"):
            shown.append(f"{key} {value:.2%}")
        elif key.endswith("_ms"):
            shown.append(f"{key} {value:.0f}ms")
        elif key.endswith(("p_value", "ratio", "_u")):
            shown.append(f"{key} {value:.3g}")
        else:
            shown.append(f"{key} {value:g}")
    return ", ".join(shown)
