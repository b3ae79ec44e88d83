"""`golive migrate lint`: the migration linter over SQL files and directories; `golive migrate
apply NAME -- COMMAND`: a backup first, the migration, integrity checks, a restore on failure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from golive.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    ConfigOption,
    EnvOption,
    JsonOption,
    err,
    guarded,
    load,
    opened,
    out,
)

if TYPE_CHECKING:
    from golive.migrate.apply import ApplyReport

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


@migrate.command("apply")
def migrate_apply(
    name: Annotated[str, typer.Argument(help="The PostgreSQL `backups:` entry to back up first.")],
    command: Annotated[
        list[str],
        typer.Argument(help="The migration command, after `--` (e.g. -- ./manage.py migrate)."),
    ],
    no_restore: Annotated[
        bool,
        typer.Option(
            "--no-restore",
            help="On failure, leave the database as the migration left it (default: restore).",
        ),
    ] = False,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Back up NAME, run the migration COMMAND, check the database, and restore the backup if
    the command or a check failed. Exit 0 applied, 1 failed (restored or not), 2 bad usage."""

    def command_() -> int:
        import asyncio

        from golive import settings
        from golive.clock import SystemClock
        from golive.migrate.apply import apply_migration

        loaded = load(config, env)

        def echo(line: str) -> None:
            (err if as_json else out).print(f"  | {line}", markup=False)

        with opened(loaded) as store:
            report = asyncio.run(
                apply_migration(
                    loaded,
                    name,
                    command,
                    store=store,
                    clock=SystemClock(),
                    environ=settings.environ(),
                    restore_on_failure=not no_restore,
                    echo=echo,
                )
            )
        if as_json:
            out.print_json(json.dumps(_as_json(report)))
        else:
            _show(report)
        return EXIT_OK if report.ok else EXIT_FAILED

    raise typer.Exit(guarded(command_))


def _as_json(report: ApplyReport) -> dict[str, object]:
    return {
        "name": report.name,
        "ok": report.ok,
        "command": report.command,
        "backup_id": report.backup_id,
        "exit_code": report.exit_code,
        "seconds": round(report.seconds, 3),
        "error": report.error,
        "restored": report.restored,
        "kept_as": report.kept_as,
        "checks": [c.as_dict() for c in report.checks],
        "restore_checks": [c.as_dict() for c in report.restore_checks],
    }


def _show(report: ApplyReport) -> None:
    for check in report.checks:
        mark = "[green]ok[/green]  " if check.ok else "[bold red]FAIL[/bold red]"
        out.print(f"{mark} {check.name}: {check.detail}", markup=True, highlight=False)
    taken = f"backup #{report.backup_id} of {report.name}"
    if report.ok:
        out.print(
            f"migration applied in {report.seconds:.1f}s ({taken} taken first;"
            f" {len(report.checks)} checks passed)",
            markup=False,
        )
        return
    err.print(f"[bold red]MIGRATION FAILED:[/bold red] {report.error}", markup=True)
    if report.restored:
        err.print(
            f"[bold]THE DATABASE WAS RESTORED[/bold] from {taken}: every table's row count is"
            f" back to the backup's ({len(report.restore_checks)} checks). What the migration"
            f" left is kept as database {report.kept_as}.",
            markup=True,
        )
    elif report.exit_code is None:
        err.print("Nothing was run: the database is unchanged.", markup=False)
    else:
        err.print(
            f"The database is as the migration left it (NOT restored). To go back: golive"
            f" backup restore {report.name} --into NEW_DSN (backup #{report.backup_id}).",
            markup=False,
        )
