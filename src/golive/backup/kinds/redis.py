"""Redis backups: the RDB snapshot that ``redis-cli --rdb`` fetches from the server, with the
key count at that time; a drill checks the file is a whole RDB (magic, version, end marker)."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from golive import settings
from golive.backup.kinds import DrillContext
from golive.backup.model import Check, Progress
from golive.backup.pgtools import last_lines
from golive.config.ship import Backup
from golive.exceptions import BackupError

RDB = "dump.rdb"
EOF_MARK = 0xFF


def _url(spec: Backup) -> str:
    assert spec.redis is not None
    return spec.redis.url


def _where(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or 6379}"


class RedisKind:
    key = "redis"

    def describe(self, spec: Backup) -> str:
        return f"redis {_where(_url(spec))}"

    def dump(self, spec: Backup, into: Path, base_dir: Path, progress: Progress) -> dict[str, Any]:
        import redis

        url = _url(spec)
        try:
            client = redis.Redis.from_url(url, socket_timeout=10)
            keys = int(client.dbsize())
            info = client.info("server")
            client.close()
        except redis.RedisError as exc:
            raise BackupError(f"cannot reach redis at {_where(url)}: {exc}") from None
        cli = shutil.which("redis-cli")
        if cli is None:
            raise BackupError("redis-cli is not installed (Debian package redis-tools)")
        progress.phase("dump", None)
        target = into / RDB
        started = time.monotonic()
        done = subprocess.run(
            [cli, "-u", url, "--no-auth-warning", "--rdb", str(target)],
            env=settings.command_environ(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0 or not target.exists():
            raise BackupError(f"redis-cli --rdb failed: {last_lines(done.stderr or done.stdout)}")
        progress.at(target.stat().st_size)
        return {
            "keys": keys,
            "redis_version": str(info.get("redis_version", "")),
            "fetch_seconds": round(time.monotonic() - started, 3),
        }

    def restore(self, spec: Backup, folder: Path, into: str, base_dir: Path) -> float:
        started = time.monotonic()
        target = Path(into)
        target.mkdir(parents=True, exist_ok=True)
        if (target / RDB).exists():
            raise BackupError(f"{target / RDB} already exists; golive restores only to a new file")
        shutil.copyfile(folder / RDB, target / RDB)
        return time.monotonic() - started

    def drill(self, folder: Path, ctx: DrillContext) -> tuple[float, list[Check]]:
        started = time.monotonic()
        path = folder / RDB
        data = path.read_bytes() if path.exists() else b""
        whole = data[:5] == b"REDIS" and data[5:9].isdigit() and len(data) >= 18
        # the end: 0xFF then an 8-byte CRC64 (zero when checksums are off)
        ended = whole and data[-9] == EOF_MARK
        seconds = time.monotonic() - started
        return seconds, [
            Check("rdb header", whole, f"{len(data)} bytes" if whole else "not an RDB file"),
            Check("rdb end", ended, "end marker present" if ended else "the file is cut short"),
        ]


KIND = RedisKind()
