"""Commands the reference names whose stage has not landed: ``golive rollout init``. They check
the config and the name they are given, then say which stage brings them, and exit 1, so a
script that calls one today fails loudly, not silently."""

from __future__ import annotations

from typing import Annotated

import typer

from golive.cli.common import EXIT_FAILED, ConfigOption, EnvOption, err, guarded, load
from golive.exceptions import UsageError

rollout = typer.Typer(
    help="Canary and blue-green rollouts (the rollouts stage).", no_args_is_help=True
)


def _named(kind: str, name: str, names: list[str]) -> None:
    if name not in names:
        raise UsageError.unknown(kind, name, names)


@rollout.command("init")
def rollout_init(
    name: Annotated[str, typer.Argument(help="The rollout whose traffic file to write.")],
    config: ConfigOption = None,
    env: EnvOption = None,
) -> None:
    """Write the rollout's upstream file from `stable` (not yet supported)."""

    def command() -> int:
        loaded = load(config, env)
        _named("rollout", name, [r.name for r in loaded.config.rollouts])
        err.print(f"not yet supported: golive rollout init {name} arrives with the rollouts stage")
        return EXIT_FAILED

    raise typer.Exit(guarded(command))
