"""`golive token ...` and `golive silence ...`: thin commands over the store's domain functions."""

from __future__ import annotations

import json
from typing import Annotated

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

tokens = typer.Typer(help="API tokens: create (shown once), list, revoke.", no_args_is_help=True)
silences = typer.Typer(
    help="Silences: mute matching alerts for a while, with a reason.", no_args_is_help=True
)


@tokens.command("create")
def token_create(
    role: Annotated[str, typer.Option("--role", help="admin, operator or viewer.")],
    name: Annotated[str, typer.Option("--name", help="Who or what uses it.")] = "cli",
    config: ConfigOption = None,
    env: EnvOption = None,
) -> None:
    """Create an API token and print it once; the store keeps only its hash."""

    def command() -> int:
        from golive.clock import SystemClock
        from golive.store.tokens import issue_token

        with opened(load(config, env)) as store:
            issued = issue_token(store, name=name, role=role, now=SystemClock().now())
        out.print(issued.plaintext, markup=False, highlight=False)
        typer.echo(
            f"token {issued.token.id} ({issued.token.role}, {issued.token.name}): shown once, keep it safe",
            err=True,
        )
        return EXIT_OK

    raise typer.Exit(guarded(command))


@tokens.command("list")
def token_list(
    config: ConfigOption = None, env: EnvOption = None, as_json: JsonOption = False
) -> None:
    """List tokens (never their values)."""

    def command() -> int:
        from golive.store.tokens import list_tokens

        with opened(load(config, env)) as store:
            views = list_tokens(store)
        rows = [
            {
                "id": t.id,
                "name": t.name,
                "role": t.role,
                "created": when(t.created_at),
                "last used": when(t.last_used_at),
                "revoked": when(t.revoked_at) if t.revoked_at else None,
            }
            for t in views
        ]
        print_rows(rows, as_json, ["id", "name", "role", "created", "last used", "revoked"])
        return EXIT_OK

    raise typer.Exit(guarded(command))


@tokens.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's id (see `token list`).")],
    config: ConfigOption = None,
    env: EnvOption = None,
) -> None:
    """Revoke a token: it stops working at once."""

    def command() -> int:
        from golive.clock import SystemClock
        from golive.exceptions import UsageError
        from golive.store.tokens import revoke_token

        with opened(load(config, env)) as store:
            view = revoke_token(store, token_id, SystemClock().now())
        if view is None:
            raise UsageError(f"no token with id {token_id}")
        out.print(f"token {view.id} ({view.name}) revoked")
        return EXIT_OK

    raise typer.Exit(guarded(command))


@silences.command("add")
def silence_add(
    reason: Annotated[str, typer.Option("--reason", help="Why (shown with the silence).")],
    duration: Annotated[str, typer.Option("--for", help="How long: 30m, 2h, 1d.")] = "1h",
    check: Annotated[str | None, typer.Option("--check", help="Mute this check's alerts.")] = None,
    component: Annotated[
        str | None, typer.Option("--component", help="Mute a component's alerts.")
    ] = None,
    alert: Annotated[str | None, typer.Option("--alert", help="Mute an alert by name.")] = None,
    label: Annotated[
        list[str] | None, typer.Option("--label", help="KEY=VALUE; repeat for more.")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Who is silencing.")] = "cli",
    config: ConfigOption = None,
    env: EnvOption = None,
) -> None:
    """Silence matching alerts for a while (they still change state; nobody is notified)."""

    def command() -> int:
        from golive.alerts import create_silence
        from golive.clock import SystemClock
        from golive.config.units import parse_duration
        from golive.exceptions import UsageError

        labels: dict[str, str] = {}
        for item in label or []:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise UsageError(f"--label takes KEY=VALUE, got {item!r}")
            labels[key] = value
        try:
            length = parse_duration(duration)
        except ValueError as exc:
            raise UsageError(f"--for: {exc}") from None
        loaded = load(config, env)
        with opened(loaded) as store:
            view = create_silence(
                store,
                loaded,
                check=check,
                component=component,
                alert=alert,
                labels=labels or None,
                duration=length,
                reason=reason,
                created_by=by,
                now=SystemClock().now(),
            )
        out.print(f"silence {view.id} until {when(view.ends_at)}: {json.dumps(view.matchers)}")
        return EXIT_OK

    raise typer.Exit(guarded(command))


@silences.command("list")
def silence_list(
    all_: Annotated[bool, typer.Option("--all", help="Include expired silences.")] = False,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """List active and scheduled silences (--all for expired ones too)."""

    def command() -> int:
        from golive.alerts import list_silences
        from golive.clock import SystemClock

        now = SystemClock().now()
        with opened(load(config, env)) as store:
            views = list_silences(store, now, include_expired=all_)
        rows = [
            {
                "id": v.id,
                "status": v.status(now),
                "matches": json.dumps(v.matchers),
                "until": when(v.ends_at),
                "by": v.created_by,
                "reason": v.reason,
            }
            for v in views
        ]
        print_rows(rows, as_json, ["id", "status", "matches", "until", "by", "reason"])
        return EXIT_OK

    raise typer.Exit(guarded(command))


@silences.command("expire")
def silence_expire(
    silence_id: Annotated[int, typer.Argument(help="The silence's id.")],
    config: ConfigOption = None,
    env: EnvOption = None,
) -> None:
    """End a silence now."""

    def command() -> int:
        from golive.alerts import expire_silence
        from golive.clock import SystemClock

        with opened(load(config, env)) as store:
            view = expire_silence(store, silence_id, SystemClock().now())
        out.print(f"silence {view.id} expired")
        return EXIT_OK

    raise typer.Exit(guarded(command))
