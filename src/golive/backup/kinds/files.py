"""File backups: a gzipped tar of ``paths`` (relative to the config file); a drill reads every
member back (gzip's CRC checks each byte) and counts them against the backup time's."""

from __future__ import annotations

import tarfile
import time
from pathlib import Path
from typing import Any

from golive.backup.kinds import DrillContext
from golive.backup.model import Check, Progress
from golive.config.ship import Backup
from golive.exceptions import BackupError

ARCHIVE = "files.tar.gz"


def _paths(spec: Backup, base_dir: Path) -> list[Path]:
    assert spec.files is not None
    paths = [
        p if (p := Path(raw).expanduser()).is_absolute() else base_dir / p
        for raw in spec.files.paths
    ]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise BackupError(f"nothing to back up at {', '.join(missing)}")
    return paths


class FilesKind:
    key = "files"

    def describe(self, spec: Backup) -> str:
        assert spec.files is not None
        return f"files {', '.join(spec.files.paths)}"

    def dump(self, spec: Backup, into: Path, base_dir: Path, progress: Progress) -> dict[str, Any]:
        progress.phase("archive", None)
        members = size = 0
        target = into / ARCHIVE
        with tarfile.open(target, "w:gz") as archive:
            for path in _paths(spec, base_dir):
                for item in [path, *sorted(path.rglob("*"))] if path.is_dir() else [path]:
                    archive.add(
                        item,
                        arcname=item.name
                        if item == path
                        else f"{path.name}/{item.relative_to(path)}",
                        recursive=False,
                    )
                    members += 1
                    size += item.stat().st_size if item.is_file() else 0
                    progress.at(target.stat().st_size)
        return {"members": members, "bytes": size}

    def restore(self, spec: Backup, folder: Path, into: str, base_dir: Path) -> float:
        started = time.monotonic()
        target = Path(into)
        if target.exists() and any(target.iterdir()):
            raise BackupError(
                f"{target} is not empty; golive restores files only into a new folder"
            )
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / ARCHIVE, "r:gz") as archive:
            archive.extractall(target, filter="data")
        return time.monotonic() - started

    def drill(self, folder: Path, ctx: DrillContext) -> tuple[float, list[Check]]:
        started = time.monotonic()
        members = 0
        try:
            with tarfile.open(folder / ARCHIVE, "r:gz") as archive:
                for member in archive:
                    members += 1
                    if member.isfile():
                        reader = archive.extractfile(member)
                        while reader is not None and reader.read(1 << 20):
                            pass
        except (tarfile.TarError, OSError, EOFError) as exc:
            return time.monotonic() - started, [Check("archive readable", False, str(exc))]
        want = int(ctx.source.get("members", 0))
        return time.monotonic() - started, [
            Check("archive readable", True, f"{members} members"),
            Check("members", members == want, f"{members} read, {want} at backup time"),
        ]


KIND = FilesKind()
