"""Errors golive raises, and what each means.

    GoliveError                 base of everything golive raises on purpose
    ├── ConfigError             the configuration is wrong; carries one or more located issues
    ├── UsageError              a command was asked for something that does not exist
    ├── StoreError              the evidence store cannot be opened, migrated or written
    │   └── FencedOut           a leader's lease was taken over (or lapsed): its write is refused
    ├── BackupError             a backup, restore or drill could not be done (source, target, file)
    ├── SourceError             a metrics source could not be read (scrape failed, garbage)
    └── NotYetSupported         a configured feature whose stage has not landed yet

Third-party errors (aiohttp, psycopg, redis, SQLAlchemy, YAML) are translated at the boundary
with ``raise OurError(...) from exc``; probes never raise for a failed target, they return a
result whose ``error`` says what happened.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class GoliveError(Exception):
    """Base class of every error golive raises on purpose."""


@dataclass(frozen=True)
class Location:
    """A place in a configuration file (1-based line and column)."""

    file: Path
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Issue:
    """One problem found in a configuration, with where it is."""

    message: str
    location: Location | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class ConfigError(GoliveError):
    """The configuration is invalid; ``issues`` lists every problem found, in file order."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = sorted(issues, key=_issue_order)
        super().__init__("\n".join(str(issue) for issue in self.issues))


def _issue_order(issue: Issue) -> tuple[str, int, int]:
    loc = issue.location
    return (str(loc.file), loc.line, loc.column) if loc else ("", 0, 0)


class UsageError(GoliveError):
    """A command named something that does not exist (a check, an item, an environment)."""

    @classmethod
    def unknown(cls, kind: str, name: str, names: Sequence[str]) -> UsageError:
        """``no check named 'helth'; did you mean 'health'?``, or the names there are."""
        hint = difflib.get_close_matches(name, list(names), n=1)
        if hint:
            return cls(f"no {kind} named '{name}'; did you mean '{hint[0]}'?")
        listed = ", ".join(names) if names else "none are defined"
        return cls(f"no {kind} named '{name}' (known: {listed})")


class StoreError(GoliveError):
    """The evidence store could not be opened, migrated or written."""


class FencedOut(StoreError):
    """A transaction of a fenced store was refused: its lease (``name`` at ``epoch``) is no longer
    held by it; ``holder`` and ``holder_epoch`` say who holds it now (None when it just lapsed)."""

    def __init__(
        self, name: str, epoch: int, *, holder: str | None, holder_epoch: int | None
    ) -> None:
        self.name, self.epoch = name, epoch
        self.holder, self.holder_epoch = holder, holder_epoch
        if holder is None:
            now = "it has lapsed and no one holds it"
        else:
            now = f"it is held by {holder!r} at epoch {holder_epoch}"
        super().__init__(f"fenced out of lease {name!r} (epoch {epoch}): {now}")


class BackupError(GoliveError):
    """A backup, restore or drill failed: the source, the target or a stored file said no."""


class SourceError(GoliveError):
    """A metrics source could not be read: a scrape failed, timed out or returned garbage, a
    Prometheus query failed. Recorded in the source's health; never fatal."""


class NotYetSupported(GoliveError):
    """A configured section whose behaviour belongs to a stage that has not landed yet."""
