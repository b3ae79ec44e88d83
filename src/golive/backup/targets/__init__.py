"""Where backups are kept: one module per target, one line each in ``target_for``.

A target gives a local folder to dump into (``staging``), keeps its files under a key
(``commit``), hands them back as a local folder (``fetch`` / ``release``) and deletes them. Only
after ``commit`` returns is a backup's every file stored; ``abort`` removes what a failed run left.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from golive.backup.model import Progress
from golive.config.ship import BackupTarget
from golive.exceptions import BackupError
from golive.records import BackupFile


class MissingFiles(BackupError):
    """A backup's stored files are gone (not merely unreachable now): the backup is corrupt."""


class Target(Protocol):
    label: str  # dir:/abs/path · s3://bucket/prefix

    def staging(self, key: str) -> Path: ...

    def commit(
        self, staged: Path, key: str, files: Sequence[BackupFile], progress: Progress
    ) -> None: ...

    def abort(self, staged: Path | None, key: str) -> None: ...

    def fetch(self, key: str, files: Sequence[BackupFile], progress: Progress) -> Path: ...

    def release(self, folder: Path) -> None: ...

    def delete(self, key: str, files: Sequence[BackupFile]) -> None: ...


def target_for(to: BackupTarget, base_dir: Path, environ: Mapping[str, str]) -> Target:
    """The target a backup's ``to:`` names."""
    if to.dir is not None:
        from golive.backup.targets.directory import DirTarget

        path = Path(to.dir).expanduser()
        return DirTarget(path if path.is_absolute() else base_dir / path)
    assert to.s3 is not None
    from golive.backup.targets.s3 import S3Target

    return S3Target(to.s3, environ)
