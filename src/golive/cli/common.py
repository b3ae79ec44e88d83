"""What every command shares: the -c/--env options, config loading, and error handling that
turns golive's errors into clear lines and exit codes (never a traceback)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

from golive import settings
from golive.exceptions import ConfigError, GoliveError, StoreError, UsageError

if TYPE_CHECKING:
    from golive.config import LoadedConfig
    from golive.store import Store

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Config file (default: $GOLIVE_CONFIG or ./golive.yaml).",
        show_default=False,
    ),
]
EnvOption = Annotated[
    str | None,
    typer.Option(
        "--env",
        help="Environment whose overrides apply (default: $GOLIVE_ENV or the file's `environment`).",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON for scripts instead of a table.")
]

out = Console(soft_wrap=True, highlight=False)
err = Console(stderr=True, soft_wrap=True, highlight=False)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", markup=True)
    raise typer.Exit(code)


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Show golive's errors as readable lines with the right exit code."""
    try:
        yield
    except ConfigError as exc:
        for issue in exc.issues:
            err.print(str(issue), markup=False)
        raise typer.Exit(EXIT_USAGE) from None
    except (UsageError, StoreError) as exc:
        fail(str(exc))
    except GoliveError as exc:
        fail(str(exc), EXIT_FAILED)


def load(config: Path | None, env: str | None) -> LoadedConfig:
    from golive.config import find_config, load_config  # imported on use: keeps --help fast
    from golive.gate.registry import argument_models

    environ = settings.environ()
    path = find_config(config, environ)
    return load_config(path, environ=environ, env=env, gate_args=argument_models())


def guarded(command: Callable[[], int]) -> int:
    """Run ``command``; an unexpected exception becomes one line (traceback with GOLIVE_DEBUG=1)."""
    try:
        with reporting_errors():
            return command()
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as exc:
        if settings.environ().get("GOLIVE_DEBUG"):
            raise
        err.print(
            f"internal error: {type(exc).__name__}: {exc} (set GOLIVE_DEBUG=1 for details)",
            markup=False,
        )
        sys.exit(EXIT_FAILED)


@contextmanager
def opened(loaded: LoadedConfig) -> Iterator[Store]:
    """The config's store, open for the length of a command."""
    from golive.engine import open_store

    store = open_store(loaded)
    try:
        yield store
    finally:
        store.close()


def when(at: datetime | None) -> str:
    """A time for a table cell (UTC, to the second)."""
    return at.strftime("%Y-%m-%d %H:%M:%SZ") if at else "—"


def print_rows(rows: list[dict[str, Any]], as_json: bool, columns: list[str]) -> None:
    """Rows as JSON for scripts, or as a table of ``columns``."""
    if as_json:
        out.print_json(json.dumps(rows, default=str))
        return
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c]) if row[c] is not None else "—" for c in columns))
    out.print(table)
