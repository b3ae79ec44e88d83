"""``golive heartbeat url|rotate NAME`` (a heartbeat check's ping URL, shown once: the store keeps
only its secret's hash) and ``golive ping NAME`` (a job reports in, or runs a command between a
start and an end ping)."""

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
    from golive.store.heartbeats import issue_secret, rotate_secret

    _heartbeat_check(loaded, name)
    with opened(loaded) as store:
        fetch = rotate_secret if rotate else issue_secret
        secret = fetch(store, name, SystemClock().now())
    return ping_url(server_url(loaded), name, secret)


@heartbeat.command("url")
def heartbeat_url(name: Name, config: ConfigOption = None, env: EnvOption = None) -> None:
    """Make and print the URL a job pings (POST; add /start, /fail or /EXIT_CODE), once: golive
    keeps only its hash, so keep it secret and keep it (``rotate`` makes a new one)."""

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
        typer.Option(
            envvar="GOLIVE_PING_URL",
            help="The ping URL `golive heartbeat url` or `rotate` printed (golive keeps only "
            "its hash, so it must be given).",
        ),
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
        loaded = load(config, env) if run or not url else None  # --url alone needs no config
        if loaded is not None and not url:
            _heartbeat_check(loaded, name)
        missing = (
            f"no ping URL for {name}: golive keeps only its hash, so give the URL "
            f"`golive heartbeat url {name}` showed (or `rotate` makes) with --url or "
            "GOLIVE_PING_URL"
        )

        def warn(problem: str) -> None:
            err.print(f"[yellow]warning:[/yellow] golive ping {name}: {problem}")

        if run:
            assert loaded is not None, "loaded for its secrets"
            if not url:  # the job still runs: a missing URL never breaks it
                warn(f"{missing}; the command runs unreported")
            return run_reporting(run, url or None, redact=loaded.secrets.redact, warn=warn)
        if not url:
            raise UsageError(missing)
        suffix = "/fail" if fail else "/start" if start else ""
        if (problem := send(url + suffix)) is not None:
            warn(problem)
        return EXIT_OK

    raise typer.Exit(guarded(command))
