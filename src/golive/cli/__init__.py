"""The command line (Typer + Rich): thin commands, each calling a domain function.

Every command is registered once, in ``COMMANDS``, by the module and attribute that define it.
A command module is imported only when its command runs (or ``--help`` lists it), so a
pre-commit ``golive validate`` does not pay for the backup, incident or serve machinery.
"""

from __future__ import annotations

import atexit
import gc
from collections.abc import Iterator, Mapping, MutableMapping
from importlib import import_module
from typing import Annotated, Any

import typer
from typer.core import TyperGroup
from typer.main import get_command_from_info, get_group_from_info
from typer.models import CommandInfo, TyperInfo

from golive import __version__

# name → "module:attribute", in --help order; a function is a command, a Typer a group of them
COMMANDS: dict[str, str] = {
    "validate": "golive.cli.validate:validate",
    "check": "golive.cli.check:check",
    "serve": "golive.cli.serve:serve",
    "status": "golive.cli.serve:status",
    "reload": "golive.cli.serve:reload",
    "worker": "golive.cli.worker:worker",
    "import": "golive.cli.importer:import_guide",
    "loadtest": "golive.cli.loadtest:loadtest",
    "schema": "golive.cli.schema:schema",
    "ping": "golive.cli.heartbeat:ping",
    "report": "golive.cli.report:report",
    "dora": "golive.cli.dora:dora",
    "gate": "golive.cli.gate:gate",
    "silence": "golive.cli.admin:silences",
    "token": "golive.cli.admin:tokens",
    "user": "golive.cli.users:users",
    "rollout": "golive.cli.rollout:rollout",
    "heartbeat": "golive.cli.heartbeat:heartbeat",
    "oncall": "golive.cli.oncall:oncall",
    "flag": "golive.cli.flags:flags",
    "backup": "golive.cli.backup:backup",
    "incident": "golive.cli.incident:incident",
    "migrate": "golive.cli.migrate:migrate",
    "slo": "golive.cli.slo:slo",
    "store": "golive.cli.store:store",
}


class _Commands(MutableMapping[str, Any]):
    """The root group's commands: every name of ``COMMANDS`` is known up front; a command is
    imported and built by Typer on first use, as ``app.command()``/``app.add_typer`` would."""

    def __init__(self, group: TyperGroup) -> None:
        self._group = group
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            module, _, attribute = COMMANDS[name].partition(":")
            target = getattr(import_module(module), attribute)
            short, markup = app.pretty_exceptions_short, self._group.rich_markup_mode
            if isinstance(target, typer.Typer):
                self._built[name] = get_group_from_info(
                    TyperInfo(target, name=name),
                    pretty_exceptions_short=short,
                    rich_markup_mode=markup,
                    suggest_commands=self._group.suggest_commands,
                )
            else:
                self._built[name] = get_command_from_info(
                    CommandInfo(name, callback=target),
                    pretty_exceptions_short=short,
                    rich_markup_mode=markup,
                )
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        raise TypeError("golive's commands are registered in golive.cli.COMMANDS")

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(COMMANDS), **dict.fromkeys(self._built)})

    def __len__(self) -> int:
        return len(COMMANDS.keys() | self._built.keys())

    def __contains__(self, name: object) -> bool:
        return name in COMMANDS or name in self._built


class _Root(TyperGroup):
    """The ``golive`` group, whose commands come from ``COMMANDS`` when first asked for."""

    def __init__(self, *, commands: Mapping[str, Any] | None = None, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = _Commands(self)
        self.commands.update(commands or {})


app = typer.Typer(
    name="golive",
    cls=_Root,
    help="Production readiness that runs: probes, alerts, SLOs, rollouts, backups and a GO/NO-GO gate.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


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
    # At exit the interpreter's last garbage collection walks every object golive loaded
    # (pydantic's schemas, Typer's commands): ~0.05 s of CPU, a sixth of `golive validate`,
    # to free memory the ending process gives back anyway. Frozen objects are left out of it;
    # atexit handlers still run, and every command closes its store and sessions itself.
    atexit.register(gc.freeze)
    app()


__all__ = ["COMMANDS", "app", "main"]
