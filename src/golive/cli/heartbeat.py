"""``golive heartbeat url|rotate NAME`` (a heartbeat check's ping URL) and ``golive ping NAME``
(a job reports in, or runs a command between a start and an end ping)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from golive.cli.common import EXIT_OK, ConfigOption, EnvOption, err, guarded, load, opened, out
from golive.exceptions import UsageError

if TYPE_CHECKING:
    from golive.config import LoadedConfig

heartbeat = typer.Typer(help="Jobs that ping golive: their ping URLs.", no_args_is_help=True)
Name = Annotated[str, typer.Argument(help="The heartbeat check.")]


def _heartbeat_check(loaded: LoadedConfig, name: str) -> None:
    names = [c.name for c in loaded.pushed_checks()]
    if name not in names:
        raise UsageError.unknown("heartbeat check", name, names)


def _url(loaded: LoadedConfig, name: str, *, rotate: bool = False) -> str:
    from golive.clock import SystemClock
    from golive.engine.job import ping_url, server_url
    from golive.store.heartbeats import ping_secret, rotate_secret

    _heartbeat_check(loaded, name)
    with opened(loaded) as store:
        fetch = rotate_secret if rotate else ping_secret
        secret = fetch(store, name, SystemClock().now())
    return ping_url(server_url(loaded), name, secret)


@heartbeat.command("url")
def heartbeat_url(name: Name, config: ConfigOption = None, env: EnvOption = None) -> None:
    """Print the URL a job pings (POST; add /start, /fail or /EXIT_CODE); keep it secret."""

    def command() -> int:
        out.print(_url(load(config, env), name), markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@heartbeat.command("rotate")
def heartbeat_rotate(name: Name, config: ConfigOption = None, env: EnvOption = None) -> None:
    """Give the check a new ping URL and print it; the old one stops working."""

    def command() -> int:
        out.print(_url(load(config, env), name, rotate=True), markup=False)
        err.print("the previous ping URL no longer works (golive serve follows within 10s)")
        return EXIT_OK

    raise typer.Exit(guarded(command))


def ping(
    name: Name,
    run: Annotated[
        list[str] | None,
        typer.Argument(help="After --: a command to run between a start and an end ping."),
    ] = None,
    fail: Annotated[bool, typer.Option("--fail", help="Report a failed run.")] = False,
    start: Annotated[bool, typer.Option("--start", help="Report that a run starts.")] = False,
    url: Annotated[
        str | None,
        typer.Option(help="The ping URL to use (default: from the config and the store)."),
    ] = None,
    config: ConfigOption = None,
    env: EnvOption = None,
) -> None:
    """Report a job's run to golive serve, or run COMMAND and report its start, exit code and
    output's tail. golive being away is a warning: the exit code is the command's."""
    from golive.engine.job import run_reporting, send

    def command() -> int:
        if fail and start:
            raise UsageError("choose one of --fail and --start")
        if run and (fail or start):
            raise UsageError("with a command, golive ping reports its start and exit code itself")
        loaded = None if url and not run else load(config, env)  # --url alone needs no config
        target = url if url else _url(loaded, name) if loaded else ""

        def warn(problem: str) -> None:
            err.print(f"[yellow]warning:[/yellow] golive ping {name}: {problem}")

        if run:
            assert loaded is not None, "loaded for its secrets"
            return run_reporting(run, target, redact=loaded.secrets.redact, warn=warn)
        suffix = "/fail" if fail else "/start" if start else ""
        if (problem := send(target + suffix)) is not None:
            warn(problem)
        return EXIT_OK

    raise typer.Exit(guarded(command))
