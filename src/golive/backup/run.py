"""Taking backups and pruning them: ``run_backup`` and ``prune``.

A run is a catalog entry first (``running``), then a dump into the target's staging folder,
encryption and checksums, then the commit; only then is the entry ``good``. Any failure on the
way, an interrupt included, marks it ``failed`` with why and removes what was half written.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from golive.backup import crypto
from golive.backup.kinds import kind_of
from golive.backup.model import NoProgress, Progress
from golive.backup.retention import to_delete
from golive.backup.targets import Target, target_for
from golive.clock import Clock
from golive.config import LoadedConfig
from golive.config.ship import Backup
from golive.exceptions import BackupError, UsageError
from golive.records import BackupEntry, BackupFile, EvidenceRecord, RunSummary
from golive.store import Store
from golive.store import backups as catalog


def spec_of(loaded: LoadedConfig, name: str) -> Backup:
    """The ``backups:`` entry called ``name``."""
    for spec in loaded.config.backups:
        if spec.name == name:
            return spec
    raise UsageError.unknown("backup", name, [b.name for b in loaded.config.backups])


def target_of(loaded: LoadedConfig, spec: Backup, environ: Mapping[str, str]) -> Target:
    return target_for(spec.to, loaded.base_dir, environ)


def key_file(loaded: LoadedConfig, spec: Backup) -> bytes | None:
    return crypto.read_key(loaded.relative(spec.encrypt.key_file)) if spec.encrypt else None


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as reader:
        while chunk := reader.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _seal(staged: Path, key: bytes | None) -> list[BackupFile]:
    """Encrypt each dumped file (when a key is given) and list them with their checksums."""
    files: list[BackupFile] = []
    for path in sorted(p for p in staged.rglob("*") if p.is_file()):
        if key is not None:
            sealed = path.with_name(path.name + crypto.SUFFIX)
            crypto.encrypt_file(path, sealed, key)
            path.unlink()
            path = sealed
        files.append(
            BackupFile(path.relative_to(staged).as_posix(), path.stat().st_size, sha256(path))
        )
    return files


async def run_backup(
    loaded: LoadedConfig,
    name: str,
    *,
    store: Store,
    clock: Clock,
    environ: Mapping[str, str],
    progress: Progress | None = None,
    apply_retention: bool = True,
) -> BackupEntry:
    """Take one backup of ``name``; a failure raises BackupError after the catalog says so."""
    spec = spec_of(loaded, name)
    progress = progress or NoProgress()
    kind = kind_of(spec)
    target = target_of(loaded, spec, environ)
    key = key_file(loaded, spec)
    started_at, started = clock.now(), time.monotonic()
    backup_id = catalog.start_backup(
        store,
        name=name,
        environment=loaded.environment,
        kind=kind.key,
        target=target.label,
        key="",
        started_at=started_at,
        encrypted=key is not None,
    )
    path_key = f"{name}/{started_at:%Y%m%dT%H%M%SZ}-{backup_id}"
    catalog.set_key(store, backup_id, path_key)
    staged: Path | None = None
    try:
        staged = await asyncio.to_thread(target.staging, path_key)
        source = await asyncio.to_thread(kind.dump, spec, staged, loaded.base_dir, progress)
        files = await asyncio.to_thread(_seal, staged, key)
        await asyncio.to_thread(target.commit, staged, path_key, files, progress)
    except BaseException as exc:
        error = loaded.secrets.redact(_why(exc))
        await asyncio.to_thread(target.abort, staged, path_key)
        catalog.fail_backup(
            store,
            backup_id,
            finished_at=clock.now(),
            seconds=time.monotonic() - started,
            error=error,
        )
        _evidence(store, loaded, spec, clock, ok=False, error=error, values={"id": backup_id})
        if isinstance(exc, BackupError | OSError):
            raise BackupError(f"backup {name} failed: {error}") from None
        raise
    seconds = time.monotonic() - started
    catalog.finish_backup(
        store, backup_id, finished_at=clock.now(), seconds=seconds, files=files, source=source
    )
    entry = catalog.backup(store, backup_id)
    assert entry is not None
    _evidence(
        store,
        loaded,
        spec,
        clock,
        ok=True,
        error=None,
        values={
            "id": backup_id,
            "size": entry.size,
            "seconds": round(seconds, 3),
            "files": len(files),
        },
    )
    if apply_retention:
        await prune(loaded, name, store=store, environ=environ)
    return entry


def _why(exc: BaseException) -> str:
    if isinstance(exc, BackupError):
        return str(exc)
    if isinstance(exc, OSError):
        return (
            f"{exc.strerror or exc} ({exc.filename})" if exc.filename else str(exc.strerror or exc)
        )
    if isinstance(exc, KeyboardInterrupt | asyncio.CancelledError):
        return "interrupted"
    return f"{type(exc).__name__}: {exc}"


def _evidence(
    store: Store,
    loaded: LoadedConfig,
    spec: Backup,
    clock: Clock,
    *,
    ok: bool,
    error: str | None,
    values: dict[str, object],
) -> None:
    now = clock.now()
    counts_for = spec.rpo or spec.every or timedelta(days=1)
    record = EvidenceRecord(
        kind="backup",
        subject=spec.name,
        ok=ok,
        taken_at=now,
        expires_at=now + counts_for,
        latency_ms=float(values.get("seconds", 0.0)) * 1000,  # type: ignore[arg-type]
        error=error,
        values=dict(values),
    )
    store.record_run(RunSummary("backup", loaded.environment, now, now), [record])


async def prune(
    loaded: LoadedConfig,
    name: str,
    *,
    store: Store,
    environ: Mapping[str, str],
    dry_run: bool = False,
) -> list[BackupEntry]:
    """Delete what ``retention`` does not keep (files first, then the entry); return them."""
    spec = spec_of(loaded, name)
    entries = catalog.backups(store, loaded.environment, name=name)
    doomed = to_delete(entries, spec.retention)
    if dry_run or not doomed:
        return doomed
    target = target_of(loaded, spec, environ)
    for entry in doomed:
        if entry.key:
            await asyncio.to_thread(target.delete, entry.key, entry.files)
        catalog.delete_backup(store, entry.id)
    return doomed
