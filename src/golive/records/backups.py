"""Backups as the catalog knows them: the files of one backup and the entry that lists them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

BackupState = Literal["running", "good", "failed", "corrupt"]
DRILL_EVIDENCE = (
    "backup_drill"  # the evidence kind of restore drills; the gate's backup: items read it
)


@dataclass(frozen=True)
class BackupFile:
    """One stored file of a backup: its path under the backup's key, size and SHA-256 of the
    bytes as stored (encrypted ones included), so a check needs no key."""

    path: str
    size: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


@dataclass(frozen=True)
class BackupEntry:
    """One catalog row. Only ``good`` backups are restored, kept or counted as fresh; a drill
    sets ``verified`` (True: restored and checked; False: the drill failed)."""

    id: int
    name: str
    environment: str
    kind: str
    target: str
    key: str
    state: BackupState
    started_at: datetime
    finished_at: datetime | None = None
    size: int = 0
    seconds: float = 0.0
    files: tuple[BackupFile, ...] = ()
    source: dict[str, Any] = field(default_factory=dict)
    encrypted: bool = False
    error: str | None = None
    verified: bool | None = None
    verified_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """The entry for ``--json`` and the API."""
        return {
            "id": self.id,
            "name": self.name,
            "environment": self.environment,
            "kind": self.kind,
            "target": self.target,
            "key": self.key,
            "state": self.state,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "size": self.size,
            "seconds": round(self.seconds, 3),
            "files": [f.as_dict() for f in self.files],
            "source": self.source,
            "encrypted": self.encrypted,
            "error": self.error,
            "verified": self.verified,
            "verified_at": self.verified_at.isoformat() if self.verified_at else None,
        }
