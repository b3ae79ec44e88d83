"""A directory target: a backup is dumped into ``.KEY.partial`` beside its final place and
renamed into place only when whole, so a folder named by a key always holds a finished dump."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from golive.backup.model import Progress
from golive.backup.targets import MissingFiles
from golive.exceptions import BackupError
from golive.records import BackupFile


class DirTarget:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.label = f"dir:{self.root}"

    def _final(self, key: str) -> Path:
        return self.root / key

    def _partial(self, key: str) -> Path:
        final = self._final(key)
        return final.with_name(f".{final.name}.partial")

    def staging(self, key: str) -> Path:
        staged = self._partial(key)
        try:
            staged.mkdir(parents=True, exist_ok=False)
        except OSError as exc:
            raise BackupError(f"cannot write under {self.root}: {exc.strerror}") from None
        return staged

    def commit(
        self, staged: Path, key: str, files: Sequence[BackupFile], progress: Progress
    ) -> None:
        staged.rename(self._final(key))

    def abort(self, staged: Path | None, key: str) -> None:
        for path in (staged, self._partial(key)):
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)

    def fetch(self, key: str, files: Sequence[BackupFile], progress: Progress) -> Path:
        folder = self._final(key)
        if not folder.is_dir():
            raise MissingFiles(f"the backup's folder {folder} is gone")
        return folder

    def release(self, folder: Path) -> None:
        pass  # the files are the backup itself

    def delete(self, key: str, files: Sequence[BackupFile]) -> None:
        shutil.rmtree(self._final(key), ignore_errors=True)
