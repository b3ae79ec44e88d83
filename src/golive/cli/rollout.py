"""``golive rollout``: init, start, status, promote, pause, resume, abort, rollback, history. `golive
serve` does the work; ``start --wait`` does it here and follows it live."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from golive.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    ConfigOption,
    EnvOption,
    JsonOption,
    guarded,
    load,
    opened,
    out,
    when,
)
from golive.exceptions import UsageError

if TYPE_CHECKING:
    from golive.records.rollouts import RolloutView

rollout = typer.Typer(
    help="Canary, blue-green and rolling rollouts through nginx, haproxy or a command.",
    no_args_is_help=True,
)
Name = Annotated[str, typer.Argument(help="The rollout (a name under rollouts:).")]


def _line(view: RolloutView) -> str:
    paused = " (paused)" if view.paused and view.active else ""
    state = f"step {view.step + 1} at {view.percent}%" if view.state == "step" else view.state
    reason = f": {view.reason}" if view.reason else ""
    return f"{view.name} #{view.id} {view.version} {state}{paused}{reason}"


def _as_dict(view: RolloutView) -> dict[str, Any]:
    data = {k: getattr(view, k) for k in view.__dataclass_fields__}
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


@rollout.command("init")
def rollout_init(name: Name, config: ConfigOption = None, env: EnvOption = None) -> None:
    """Write the rollout's traffic (the nginx upstream file) from `stable`, so the balancer can
    include it from the start."""
    from golive.rollout.drivers import driver_for, split
    from golive.rollout.run import rollout_config

    def command() -> int:
        spec = rollout_config(load(config, env), name)
        asyncio.run(driver_for(spec).apply(split(list(spec.stable), [], 0)))
        out.print(f"{name}: all traffic on stable ({', '.join(spec.stable)})", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@rollout.command("start")
def rollout_start(
    name: Name,
    version: Annotated[str, typer.Option("--version", help="The version being rolled out.")],
    to: Annotated[
        str | None,
        typer.Option("--to", help="The new pool: HOST:PORT[,HOST:PORT...] (default: canary:)."),
    ] = None,
    commit: Annotated[
        str | None, typer.Option("--commit", help="The commit (for lead time).")
    ] = None,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait",
            help="Do the rollout here, deliver its notifications, and follow it to its end.",
        ),
    ] = False,
    config: ConfigOption = None,
    env: EnvOption = None,
) -> None:
    """Start a rollout; `golive serve` advances it (or this command with --wait). Exit 1 when
    it ends rolled back or aborted."""
    from golive.clock import SystemClock
    from golive.rollout.run import rollout_config, start

    def command() -> int:
        loaded = load(config, env)
        pool = to if to is not None else ",".join(rollout_config(loaded, name).canary)
        targets = [t.strip() for t in pool.split(",") if t.strip()]
        clock = SystemClock()
        with opened(loaded) as store:
            view = start(
                store,
                loaded,
                name,
                targets=targets,
                version=version,
                commit=commit,
                now=clock.now(),
            )
            out.print(f"started {_line(view)}", markup=False)
            if not wait:
                return EXIT_OK
            view = asyncio.run(_follow(store, loaded, view.id))
        return EXIT_OK if view.state == "promoted" else EXIT_FAILED

    raise typer.Exit(guarded(command))


async def _follow(store: Any, loaded: Any, rollout_id: int) -> RolloutView:
    from golive.clock import SystemClock
    from golive.notify import deliver_due
    from golive.rollout.run import tick
    from golive.store.rollouts import rollout_by_id

    clock, resumed, judged = SystemClock(), {rollout_id}, {}  # type: ignore[var-annotated]
    shown = ""
    while True:
        await tick(store, loaded, clock.now(), resumed, judged)
        # its notifications go out from here too (no `golive serve` may run); a serve that
        # does deliver is safe beside it: rows are claimed with a lease, one sender each
        await deliver_due(store, loaded.config, loaded.secrets, clock.now())
        view = rollout_by_id(store, rollout_id)
        assert view is not None
        if _line(view) != shown:
            shown = _line(view)
            out.print(shown, markup=False)
        if not view.active:
            return view
        await asyncio.sleep(1.0)


def _ask(what: str, name: str, config: Any, env: Any) -> None:
    from golive.clock import SystemClock
    from golive.rollout.run import request, rollout_config

    def command() -> int:
        loaded = load(config, env)
        rollout_config(loaded, name)
        with opened(loaded) as store:
            view = request(store, name, what, SystemClock().now(), loaded=loaded)
        out.print(f"{what}: {_line(view)}", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@rollout.command("promote")
def rollout_promote(name: Name, config: ConfigOption = None, env: EnvOption = None) -> None:
    """Send all traffic to the new pool now (refused while the rollout has no step yet)."""
    _ask("promote", name, config, env)


@rollout.command("pause")
def rollout_pause(name: Name, config: ConfigOption = None, env: EnvOption = None) -> None:
    """Hold the current step (a failing judgement still rolls back)."""
    _ask("pause", name, config, env)


@rollout.command("resume")
def rollout_resume(name: Name, config: ConfigOption = None, env: EnvOption = None) -> None:
    """Let a paused rollout go on."""
    _ask("resume", name, config, env)


@rollout.command("abort")
def rollout_abort(name: Name, config: ConfigOption = None, env: EnvOption = None) -> None:
    """Send all traffic back to stable and end the rollout."""
    _ask("abort", name, config, env)


@rollout.command("rollback")
def rollout_rollback(name: Name, config: ConfigOption = None, env: EnvOption = None) -> None:
    """Blue-green, within keep_old of the promotion: all traffic back on the old pool at once."""
    from golive.clock import SystemClock
    from golive.rollout.keep import switch_back

    def command() -> int:
        loaded = load(config, env)
        with opened(loaded) as store:
            view = asyncio.run(switch_back(store, loaded, name, SystemClock().now()))
        out.print(f"rollback: {_line(view)}", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@rollout.command("status")
def rollout_status(
    name: Name, config: ConfigOption = None, env: EnvOption = None, as_json: JsonOption = False
) -> None:
    """The rollout's newest run and its deployment record."""
    from golive.rollout.run import rollout_config
    from golive.store.rollouts import latest_rollout, rollout_events

    def command() -> int:
        loaded = load(config, env)
        rollout_config(loaded, name)
        with opened(loaded) as store:
            view = latest_rollout(store, name)
            if view is None:
                raise UsageError(f"rollout {name} has never run")
            events = rollout_events(store, view.id)
        if as_json:
            record = [
                {"at": e.at.isoformat(), "kind": e.kind, "message": e.message, "data": e.data}
                for e in events
            ]
            out.print_json(json.dumps({**_as_dict(view), "events": record}))
            return EXIT_OK
        out.print(_line(view), markup=False)
        for e in events:
            out.print(f"  {when(e.at)}  {e.kind:<10} {e.message}", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@rollout.command("history")
def rollout_history(
    name: Annotated[str | None, typer.Argument(help="Only this rollout.")] = None,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Past and running rollouts, newest first."""
    from golive.store.rollouts import rollout_history as history

    def command() -> int:
        loaded = load(config, env)
        with opened(loaded) as store:
            views = history(store, name)
        if as_json:
            out.print_json(json.dumps([_as_dict(v) for v in views]))
            return EXIT_OK
        for view in views:
            out.print(f"{when(view.started_at)}  {_line(view)}", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))
