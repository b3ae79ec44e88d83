"""`golive dora`: deployment frequency, lead time, change failure rate and time to restore."""

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
)


def dora(
    since: Annotated[str, typer.Option("--since", help="How far back: 7d, 30d, 12h.")] = "30d",
    window: Annotated[
        str,
        typer.Option("--window", help="An incident this soon after a promotion is its failure."),
    ] = "24h",
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """DORA's four measures over finished rollouts and incidents, with their bands."""

    def command() -> int:
        from golive.clock import SystemClock
        from golive.config.units import parse_duration
        from golive.exceptions import UsageError
        from golive.rollout.dora import measures, read_dora

        try:
            back, after = parse_duration(since), parse_duration(window)
        except ValueError as exc:
            raise UsageError(f"--since / --window: {exc}") from None
        now = SystemClock().now()
        loaded = load(config, env)
        with opened(loaded) as store:
            report = read_dora(
                store, since=now - back, until=now, window=after, repo=loaded.path.parent
            )
        if as_json:
            out.print_json(json.dumps(report.as_dict()))
            return EXIT_OK
        print_rows(measures(report), False, ["measure", "value", "band"])
        for failure in report.failures:
            out.print(f"failed: {failure.name} {failure.version}: {failure.why}", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))
