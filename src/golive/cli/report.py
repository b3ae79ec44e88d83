"""`golive report daily|weekly`: the operations report of the period that ends now."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
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
)


class Period(StrEnum):
    daily = "daily"
    weekly = "weekly"


def report(
    period: Annotated[Period, typer.Argument(help="daily (the last 24 h) or weekly (7 days).")],
    markdown_file: Annotated[
        Path | None,
        typer.Option(
            "--markdown", help="Also write the report as Markdown to FILE.", show_default=False
        ),
    ] = None,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Health and uptime per component, alerts, incidents (MTTA/MTTR), failed notifications and
    expiring sign-offs of the period that ends now."""

    def command() -> int:
        from golive.clock import SystemClock
        from golive.incidents.report_text import markdown
        from golive.incidents.reports import PERIODS, build_report

        loaded = load(config, env)
        end = SystemClock().now()
        with opened(loaded) as store:
            built = build_report(
                store, loaded, period.value, start=end - PERIODS[period.value], end=end
            )
        text = markdown(built)
        if markdown_file is not None:
            markdown_file.write_text(text, encoding="utf-8")
        if as_json:
            out.print_json(json.dumps(built.as_dict()))
        else:
            out.print(text, markup=False, highlight=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))
