"""Restoring backups: ``run_drill`` (into a scratch place, checked, cleaned up, kept as evidence)
and ``restore`` (into a new database or folder the caller names, left there).

Both fetch the backup's files and check every checksum first: a file that is missing or no
longer matches marks the backup ``corrupt`` and fails the drill before anything is restored.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from golive.backup import crypto
from golive.backup.kinds import DrillContext, kind_of
from golive.backup.model import Check, DrillReport, NoProgress, Progress
from golive.backup.pgtools import scratch_name
from golive.backup.run import key_file, sha256, spec_of, target_of
from golive.backup.targets import MissingFiles, Target
from golive.clock import Clock
from golive.config import LoadedConfig
from golive.exceptions import BackupError, UsageError
from golive.records import DRILL_EVIDENCE, BackupEntry, EvidenceRecord, RunSummary
from golive.store import Store
from golive.store import backups as catalog


def chosen(
    store: Store,
    loaded: LoadedConfig,
    name: str,
    backup_id: int | None,
    before: datetime | None = None,
) -> BackupEntry:
    """The named backup entry, or the newest good one of ``name`` (that ended ``before``, for a
    point-in-time restore)."""
    if backup_id is not None:
        entry = catalog.backup(store, backup_id)
        if entry is None or entry.name != name:
            raise UsageError(f"no backup {backup_id} of {name}; see golive backup list {name}")
        if entry.state != "good":
            raise BackupError(
                f"backup {backup_id} of {name} is {entry.state}, not good: {entry.error}"
            )
        return entry
    good = catalog.backups(store, loaded.environment, name=name, state="good")
    if not good:
        raise BackupError(f"no good backup of {name} yet: golive backup run {name}")
    if before is not None:
        ended = [e for e in good if _stopped(e) is not None and _stopped(e) <= before]  # type: ignore[operator]
        if not ended:
            raise BackupError(f"no good backup of {name} ended before {before.isoformat()}")
        return ended[0]
    return good[0]


def _stopped(entry: BackupEntry) -> datetime | None:
    """When the backup's source says it ended (pgBackRest's stop time), for PITR."""
    stopped = entry.source.get("stopped")
    return datetime.fromisoformat(stopped) if isinstance(stopped, str) else None


def check_files(folder: Path, entry: BackupEntry) -> list[str]:
    """Each stored file that is missing or does not match its checksum, with why."""
    wrong: list[str] = []
    for file in entry.files:
        path = folder / file.path
        if not path.is_file():
            wrong.append(f"{file.path} is missing")
        elif path.stat().st_size != file.size:
            wrong.append(f"{file.path} is {path.stat().st_size} bytes, {file.size} when stored")
        elif sha256(path) != file.sha256:
            wrong.append(f"{file.path} does not match its SHA-256")
    return wrong


@contextmanager
def _fetched(
    store: Store, target: Target, entry: BackupEntry, key: bytes | None, progress: Progress
) -> Iterator[Path]:
    """The entry's files, checked and decrypted, in a local folder for the block."""
    try:
        folder = target.fetch(entry.key, entry.files, progress)
    except MissingFiles as exc:  # gone, not just unreachable now
        catalog.mark_corrupt(store, entry.id, str(exc))
        raise
    plain: Path | None = None
    try:
        wrong = check_files(folder, entry)
        if wrong:
            why = "; ".join(wrong)
            catalog.mark_corrupt(store, entry.id, why)
            raise BackupError(f"backup {entry.id} is corrupt: {why}")
        if entry.encrypted:
            if key is None:
                raise BackupError(f"backup {entry.id} is encrypted; the config names no key file")
            plain = Path(tempfile.mkdtemp(prefix="golive-plain-"))
            for file in entry.files:
                out = plain / file.path.removesuffix(crypto.SUFFIX)
                out.parent.mkdir(parents=True, exist_ok=True)
                crypto.decrypt_file(folder / file.path, out, key)
        yield plain or folder
    finally:
        if plain is not None:
            shutil.rmtree(plain, ignore_errors=True)
        target.release(folder)


async def run_drill(
    loaded: LoadedConfig,
    name: str,
    *,
    store: Store,
    clock: Clock,
    environ: Mapping[str, str],
    backup_id: int | None = None,
    progress: Progress | None = None,
    target_time: datetime | None = None,
) -> DrillReport:
    """Restore the newest good (or the given) backup of ``name`` into a scratch place, check it,
    drop it, and keep the drill as evidence; a failed drill is a report, not an exception.
    ``target_time`` (kinds with archived WAL: pgbackrest) recovers to that moment instead of
    the backup's end, from the newest backup that ended before it."""
    spec = spec_of(loaded, name)
    progress = progress or NoProgress()
    rto = spec.rto.total_seconds() if spec.rto else None
    now = clock.now()
    entry: BackupEntry | None = None
    scratch = scratch_name(name, f"{now:%Y%m%d%H%M%S}")
    try:
        kind = kind_of(spec)
        if target_time is not None and kind.key != "pgbackrest":
            raise BackupError(
                f"backup {name} is a {kind.key} backup: a point-in-time restore needs archived"
                " WAL (a pgbackrest: backup)"
            )
        entry = chosen(store, loaded, name, backup_id, target_time)
        target = target_of(loaded, spec, environ)
        key = key_file(loaded, spec)
        ctx = DrillContext(spec, entry.source, scratch, loaded.base_dir, target_time)

        def restore_and_check() -> tuple[float, list[Check]]:
            with _fetched(store, target, entry, key, progress) as folder:
                progress.phase("restore", None)
                return kind.drill(folder, ctx)

        seconds, checks = await asyncio.to_thread(restore_and_check)
        if rto is not None:
            checks.append(
                Check("rto", seconds <= rto, f"restored in {seconds:.1f}s, rto {rto:.0f}s")
            )
        report = DrillReport(
            name,
            entry.id,
            all(c.ok for c in checks),
            seconds,
            rto,
            scratch,
            tuple(checks),
            values={"target_time": target_time.isoformat()} if target_time else {},
        )
    except (BackupError, OSError) as exc:  # OSError: a full disk while fetching or decrypting
        report = DrillReport(
            name,
            entry.id if entry else None,
            False,
            0.0,
            rto,
            scratch,
            (),
            loaded.secrets.redact(str(exc)),
        )
    if entry is not None:
        catalog.mark_verified(store, entry.id, ok=report.ok, at=clock.now())
    _evidence(store, loaded, report, clock, every=spec.verify.every if spec.verify else None)
    return report


def _evidence(
    store: Store, loaded: LoadedConfig, report: DrillReport, clock: Clock, every: timedelta | None
) -> None:
    now = clock.now()
    record = EvidenceRecord(
        kind=DRILL_EVIDENCE,
        subject=report.name,
        ok=report.ok,
        taken_at=now,
        expires_at=now + (every or timedelta(days=1)) * 2,
        latency_ms=report.restore_seconds * 1000,
        error=None if report.ok else report.reason,
        values=report.as_dict(),
        failed=[c.as_dict() for c in report.failed],
    )
    store.record_run(RunSummary("backup verify", loaded.environment, now, now), [record])


async def restore(
    loaded: LoadedConfig,
    name: str,
    *,
    into: str,
    store: Store,
    clock: Clock,
    environ: Mapping[str, str],
    backup_id: int | None = None,
    progress: Progress | None = None,
) -> tuple[BackupEntry, float]:
    """Restore the newest good (or the given) backup of ``name`` into ``into``: a new database's
    DSN (it must not exist), or a new folder for redis and files; (the entry, seconds)."""
    spec = spec_of(loaded, name)
    progress = progress or NoProgress()
    entry = chosen(store, loaded, name, backup_id)
    kind = kind_of(spec)
    target = target_of(loaded, spec, environ)
    key = key_file(loaded, spec)

    def fetch_and_restore() -> float:
        with _fetched(store, target, entry, key, progress) as folder:
            progress.phase("restore", None)
            started = time.monotonic()
            kind.restore(spec, folder, into, loaded.base_dir)
            return time.monotonic() - started

    try:
        seconds = await asyncio.to_thread(fetch_and_restore)
    except BackupError as exc:
        raise BackupError(loaded.secrets.redact(str(exc))) from None
    return entry, seconds
