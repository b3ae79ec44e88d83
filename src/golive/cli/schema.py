"""``golive schema``: the JSON Schema of golive.yaml, for editors that validate and complete it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from golive.cli.common import EXIT_OK, err, guarded

OutputOption = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the schema to this file instead of printing it.",
        show_default=False,
    ),
]


def schema(output: OutputOption = None) -> None:
    """Print the JSON Schema of golive.yaml (for the YAML language server: see docs)."""

    def command() -> int:
        from golive.config.editor_schema import json_schema
        from golive.gate.registry import argument_models
        from golive.probes.registry import builtin_kinds

        schema = json_schema(builtin_kinds(), argument_models())
        text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
        if output is None:
            typer.echo(text, nl=False)
            return EXIT_OK
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))
