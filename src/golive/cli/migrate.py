"""`golive migrate lint`: the migration linter over SQL files and directories."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from golive.cli.common import EXIT_FAILED, EXIT_OK, JsonOption, err, guarded, out

migrate = typer.Typer(
    help="Migrations that cannot take production down: lint them before they run.",
    no_args_is_help=True,
)


@migrate.command("lint")
def migrate_lint(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Migration .sql files, or directories of them (read in name order)."),
    ],
    ignore: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore", help="A rule id to leave out (repeat for more).", show_default=False
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check migrations for statements that lock or break a live database, each with
    file:line:col and the safe rewrite. Exit 0 clean, 1 violations, 2 bad input."""

    def command() -> int:
        from golive.migrate.lint import lint_paths

        report = lint_paths(paths, ignore=ignore or ())
        found = report.open
        if as_json:
            body = {
                "files": list(report.files),
                "violations": [v.as_json() for v in found],
                "ignored": [v.as_json() for v in report.violations if v.ignored is not None],
            }
            out.print_json(json.dumps(body))
            return EXIT_FAILED if found else EXIT_OK
        for violation in found:
            out.print(str(violation), markup=False)
            out.print(f"  fix: {violation.rewrite}", markup=False)
        accepted = len(report.violations) - len(found)
        noted = f", {accepted} accepted by ignore comments" if accepted else ""
        files = f"{len(report.files)} file{'s' if len(report.files) != 1 else ''}"
        if found:
            err.print(f"{len(found)} violation(s) in {files}{noted}", markup=False)
            return EXIT_FAILED
        out.print(f"{files} checked: no violations{noted}", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))
