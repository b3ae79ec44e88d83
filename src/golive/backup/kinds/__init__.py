"""What a backup can be of: one module per kind, one line each in ``kinds()``.

A kind dumps its source into a local folder (and says what the source held: row counts,
versions), restores such a folder somewhere new, and checks a restored copy in a drill.
Physical PostgreSQL backups go through pgBackRest (``pgbackrest``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from golive.backup.model import Check, Progress
from golive.config.ship import Backup


@dataclass(frozen=True)
class DrillContext:
    """What a drill needs beside the restored folder: the backup's source facts, the scratch
    name to restore into, the config's folder for relative paths, and the time to recover to
    (point-in-time drills; kinds with archived WAL only)."""

    spec: Backup
    source: Mapping[str, Any]
    scratch: str
    base_dir: Path
    target_time: datetime | None = None


class Kind(Protocol):
    key: str  # the config field naming it: postgres | pgbackrest | redis | files

    def describe(self, spec: Backup) -> str:
        """What is backed up, secrets left out (``postgres parkwise on 127.0.0.1:5432``)."""
        ...

    def dump(self, spec: Backup, into: Path, base_dir: Path, progress: Progress) -> dict[str, Any]:
        """Write the backup's files into the empty folder ``into``; return the source's facts."""
        ...

    def restore(self, spec: Backup, folder: Path, into: str, base_dir: Path) -> float:
        """Restore ``folder`` into ``into`` (a new database's DSN, or a new folder); seconds."""
        ...

    def drill(self, folder: Path, ctx: DrillContext) -> tuple[float, list[Check]]:
        """Restore into a scratch place, check it, clean it up; (restore seconds, checks)."""
        ...


def kinds() -> dict[str, Kind]:
    """The kinds golive knows, by config field."""
    from golive.backup.kinds import files, pgbackrest, postgres, redis

    return {k.key: k for k in (postgres.KIND, pgbackrest.KIND, redis.KIND, files.KIND)}


def kind_of(spec: Backup) -> Kind:
    registry = kinds()
    for key, kind in registry.items():
        if getattr(spec, key, None) is not None:
            return kind
    raise ValueError(f"backup {spec.name} names no kind golive knows")
