"""The command line (Typer + Rich): thin commands, each calling a domain function."""

from __future__ import annotations

from typing import Annotated

import typer

from golive import __version__
from golive.cli.admin import silences, tokens
from golive.cli.backup import backup
from golive.cli.check import check
from golive.cli.dora import dora
from golive.cli.flags import flags
from golive.cli.gate import gate
from golive.cli.heartbeat import heartbeat, ping
from golive.cli.importer import import_guide
from golive.cli.incident import incident
from golive.cli.loadtest import loadtest
from golive.cli.migrate import migrate
from golive.cli.oncall import oncall
from golive.cli.report import report
from golive.cli.rollout import rollout
from golive.cli.schema import schema
from golive.cli.serve import reload, serve, status
from golive.cli.slo import slo
from golive.cli.store import store
from golive.cli.users import users
from golive.cli.validate import validate

app = typer.Typer(
    name="golive",
    help="Production readiness that runs: probes, alerts, SLOs, rollouts, backups and a GO/NO-GO gate.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(validate)
app.command()(check)
app.command()(serve)
app.command()(status)
app.command()(reload)
app.command("import")(import_guide)
app.command()(loadtest)
app.command()(schema)
app.command()(ping)
app.add_typer(gate, name="gate")
app.add_typer(silences, name="silence")
app.add_typer(tokens, name="token")
app.add_typer(users, name="user")
app.add_typer(rollout, name="rollout")
app.add_typer(heartbeat, name="heartbeat")
app.add_typer(oncall, name="oncall")
app.add_typer(flags, name="flag")
app.command()(report)
app.add_typer(backup, name="backup")
app.add_typer(incident, name="incident")
app.add_typer(migrate, name="migrate")
app.add_typer(slo, name="slo")
app.add_typer(store, name="store")
app.command()(dora)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"golive {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """golive: production readiness that runs."""


def main() -> None:
    app()


__all__ = ["app", "main"]
