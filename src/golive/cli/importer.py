"""``golive import``: a Markdown readiness guide → a golive.yaml skeleton and a report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from golive.cli.common import EXIT_OK, JsonOption, err, fail, guarded, out


def import_guide(
    guide: Annotated[
        Path, typer.Argument(help="The Markdown guide to import.", show_default=False)
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the config here (default: stdout).", show_default=False
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --output.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Turn a guide's checklists into a config skeleton: each line a gate item (a built-in check
    when a rule knows it, a manual sign-off otherwise). Exit 0, or 2 for an unreadable guide."""

    def command() -> int:
        from golive.guides import import_guide as run_import
        from golive.guides.render import render

        if output is not None and output.exists() and not force:
            fail(f"{output} exists; use --force to overwrite it")
        imported = run_import(guide)
        if output is not None:
            try:
                output.write_text(imported.yaml, encoding="utf-8")
            except OSError as exc:
                fail(f"cannot write {output}: {exc.strerror or exc}")
        if as_json:
            data = imported.report.as_dict()
            if output is None:
                data["config"] = imported.yaml
            else:
                data["output"] = str(output)
            out.print_json(json.dumps(data))
            return EXIT_OK
        if output is None:
            typer.echo(imported.yaml, nl=False)
        console = out if output is not None else err  # stdout stays pure YAML when it is the config
        for part in render(imported.report):
            console.print(part)
        if output is not None:
            console.print(f"wrote {output}")
        return EXIT_OK

    raise typer.Exit(guarded(command))
