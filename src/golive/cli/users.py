"""`golive user ...`: dashboard accounts, thin commands over ``golive.accounts``.

Passwords are asked twice on the terminal (never echoed, never an argument, so they stay out of
shell history and ``ps``), or read from the first line of standard input with
``--password-stdin`` for scripts. They go to the store only as argon2id hashes.
"""

from __future__ import annotations

import sys
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

users = typer.Typer(
    help="Dashboard users: add, list, remove, change a password.", no_args_is_help=True
)

NameArgument = Annotated[str, typer.Argument(help="The user's login name.", show_default=False)]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin", help="Read the password from the first line of standard input."
    ),
]


def _password(from_stdin: bool) -> str:
    from golive.exceptions import UsageError

    if from_stdin:
        line = sys.stdin.readline()
        return line.removesuffix("\n").removesuffix("\r")
    first = typer.prompt("Password", hide_input=True, err=True)
    if typer.prompt("Password again", hide_input=True, err=True) != first:
        raise UsageError("the two passwords differ; nothing was changed")
    return str(first)


@users.command("add")
def user_add(
    name: NameArgument,
    role: Annotated[str, typer.Option("--role", help="admin, operator or viewer.")],
    password_stdin: PasswordStdin = False,
    config: ConfigOption = None,
    env: EnvOption = None,
) -> None:
    """Add a user who can log in to the dashboard (a removed name comes back)."""

    def command() -> int:
        from golive.accounts import add_user, valid_name
        from golive.clock import SystemClock

        valid_name(name)  # before asking for a password
        password = _password(password_stdin)
        with opened(load(config, env)) as store:
            user = add_user(store, name=name, role=role, password=password, now=SystemClock().now())
        out.print(f"user {user.name} ({user.role}) added", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@users.command("list")
def user_list(
    config: ConfigOption = None, env: EnvOption = None, as_json: JsonOption = False
) -> None:
    """List users and their roles (never their passwords)."""

    def command() -> int:
        from golive.store.users import list_users

        with opened(load(config, env)) as store:
            views = list_users(store)
        rows = [
            {
                "name": u.name,
                "role": u.role,
                "created": when(u.created_at),
                "removed": when(u.disabled_at) if u.disabled_at else None,
            }
            for u in views
        ]
        print_rows(rows, as_json, ["name", "role", "created", "removed"])
        return EXIT_OK

    raise typer.Exit(guarded(command))


@users.command("remove")
def user_remove(name: NameArgument, config: ConfigOption = None, env: EnvOption = None) -> None:
    """Remove a user: they are logged out at once and cannot log in again."""

    def command() -> int:
        from golive.accounts import remove_user
        from golive.clock import SystemClock

        with opened(load(config, env)) as store:
            ended = remove_user(store, name, SystemClock().now())
        out.print(f"user {name.strip()} removed; {_sessions(ended)} ended", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@users.command("passwd")
def user_passwd(
    name: NameArgument,
    password_stdin: PasswordStdin = False,
    config: ConfigOption = None,
    env: EnvOption = None,
) -> None:
    """Set a user's password; their sessions end (they log in again with the new one)."""

    def command() -> int:
        from golive.accounts import set_password
        from golive.clock import SystemClock
        from golive.exceptions import UsageError
        from golive.store.users import get_user

        with opened(load(config, env)) as store:
            user = get_user(store, name)
            if user is None or not user.active:
                raise UsageError(f"no user {name.strip()!r}")
            ended = set_password(store, name, _password(password_stdin), SystemClock().now())
        out.print(f"password of {user.name} changed; {_sessions(ended)} ended", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))


def _sessions(count: int) -> str:
    return "1 session" if count == 1 else f"{count} sessions"
