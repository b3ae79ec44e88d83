"""`golive flag list|show|set|history|eval`: thin commands over ``golive.flags.state``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from golive.cli.common import (
    EXIT_OK,
    ConfigOption,
    EnvOption,
    JsonOption,
    guarded,
    load,
    opened,
    out,
    print_rows,
    when,
)
from golive.exceptions import UsageError

if TYPE_CHECKING:
    from golive.flags.model import FlagDefinition
    from golive.store.flags import FlagChangeView

flags = typer.Typer(
    help="Feature flags: list, show, change at runtime (audited), history, evaluate.",
    no_args_is_help=True,
)
NameArgument = Annotated[str, typer.Argument(help="The flag's name.")]


def _row(flag: FlagDefinition) -> dict[str, Any]:
    return {
        "name": flag.name,
        "enabled": flag.enabled,
        "rollout": f"{flag.rollout:g}%",
        "roles": ", ".join(flag.roles) or "any",
        "environments": ", ".join(flag.environments) or "any",
        "constraints": len(flag.constraints),
    }


def _change(change: FlagChangeView) -> dict[str, Any]:
    return {
        "at": when(change.at),
        "by": change.changed_by,
        "before": change.before,
        "after": change.after,
        "reason": change.reason,
    }


@flags.command("list")
def flag_list(
    config: ConfigOption = None, env: EnvOption = None, as_json: JsonOption = False
) -> None:
    """Every flag as it is now (the config with runtime changes applied)."""

    def command() -> int:
        from golive.flags.state import current_flags

        loaded = load(config, env)
        with opened(loaded) as store:
            rows = [_row(f) for f in current_flags(loaded.config.flags, store)]
        print_rows(
            rows, as_json, ["name", "enabled", "rollout", "roles", "environments", "constraints"]
        )
        return EXIT_OK

    raise typer.Exit(guarded(command))


@flags.command("show")
def flag_show(
    name: NameArgument,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """One flag: its definition now and its last change."""

    def command() -> int:
        from golive.flags.state import find_flag, history

        loaded = load(config, env)
        with opened(loaded) as store:
            flag = find_flag(loaded.config.flags, store, name)
            changes = history(store, loaded.config.flags, name, limit=1)
        shown = {**flag.to_json(), "last_change": _change(changes[0]) if changes else None}
        if as_json:
            out.print_json(json.dumps(shown, default=str))
        else:
            for key, value in shown.items():
                out.print(f"{key}: {value}", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@flags.command("set")
def flag_set(
    name: NameArgument,
    enabled: Annotated[
        bool | None,
        typer.Option("--enabled/--disabled", help="Turn the flag on or off.", show_default=False),
    ] = None,
    rollout: Annotated[
        float | None,
        typer.Option("--rollout", help="Percent of users, 0 to 100.", show_default=False),
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the history).")] = "",
    by: Annotated[
        str | None,
        typer.Option("--by", help="Who changes it (default: cli:<login>).", show_default=False),
    ] = None,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a flag at runtime; the change is kept with who, when, why, before and after."""

    def command() -> int:
        import getpass

        from golive.clock import SystemClock
        from golive.flags.state import change_flag

        loaded = load(config, env)
        who = by or f"cli:{getpass.getuser()}"
        with opened(loaded) as store:
            change = change_flag(
                store,
                loaded.config.flags,
                name,
                by=who,
                now=SystemClock().now(),
                enabled=enabled,
                rollout=rollout,
                reason=reason,
            )
        if as_json:
            out.print_json(json.dumps({"flag": name, **_change(change)}, default=str))
        else:
            out.print(f"{name}: {change.before} → {change.after} by {who}", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@flags.command("history")
def flag_history(
    name: NameArgument,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """A flag's runtime changes, newest first."""

    def command() -> int:
        from golive.flags.state import history

        loaded = load(config, env)
        with opened(loaded) as store:
            rows = [_change(c) for c in history(store, loaded.config.flags, name)]
        print_rows(rows, as_json, ["at", "by", "before", "after", "reason"])
        return EXIT_OK

    raise typer.Exit(guarded(command))


@flags.command("eval")
def flag_eval(
    name: NameArgument,
    user: Annotated[
        str | None, typer.Option("--user", help="The user id.", show_default=False)
    ] = None,
    role: Annotated[list[str] | None, typer.Option("--role", help="A role (repeatable).")] = None,
    field: Annotated[
        list[str] | None, typer.Option("--field", help="FIELD=VALUE for constraints (repeatable).")
    ] = None,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Evaluate a flag for a user in the config's environment (--env), as the API would."""

    def command() -> int:
        from golive.flags.evaluate import evaluate
        from golive.flags.state import find_flag

        context: dict[str, Any] = {}
        for item in field or []:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise UsageError(f"--field {item!r}: write FIELD=VALUE")
            context[key] = value
        if user is not None:
            context["user_id"] = user
        if role:
            context["roles"] = list(role)
        loaded = load(config, env)
        context["environment"] = loaded.environment  # --env picks it, as for every command
        with opened(loaded) as store:
            result = evaluate(find_flag(loaded.config.flags, store, name), context)
        if as_json:
            out.print_json(json.dumps(result.to_json()))
        else:
            state = "on" if result.value else "off"
            out.print(f"{name}: {state} ({result.reason}: {result.detail})", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))
