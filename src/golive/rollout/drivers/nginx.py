"""nginx: golive owns one file holding the whole ``upstream NAME { ... }`` block; each change is
written atomically, tested with ``nginx -t`` and reloaded; a failed test restores the old file."""

from __future__ import annotations

import asyncio
import os
import shlex
from collections.abc import Mapping
from pathlib import Path

from golive.config.ship import NginxTraffic, Rollout
from golive.rollout.drivers import TrafficError

HEADER = "# managed by golive rollout"
COMMAND_TIMEOUT = 30.0  # seconds for `nginx -t` or a reload


def make(rollout: Rollout) -> NginxDriver | None:
    traffic = rollout.traffic.nginx
    return None if traffic is None else NginxDriver(rollout.name, traffic)


def render(upstream: str, weights: Mapping[str, int], rollout: str) -> str:
    """The upstream block; servers at weight 0 stay listed as ``backup`` (nginx needs one
    live server, and a backup answers only when every live one fails); servers at
    ``REMOVED`` are left out."""
    live = [f"    server {a} weight={w} max_fails=0;" for a, w in weights.items() if w > 0]
    spare = [f"    server {a} backup;" for a, w in weights.items() if w == 0]
    body = "\n".join(live + spare)
    return (
        f"{HEADER} {rollout}: do not edit, `golive rollout` rewrites it\n"
        f"upstream {upstream} {{\n{body}\n    keepalive 16;\n}}\n"
    )


class NginxDriver:
    name = "nginx"

    def __init__(self, rollout: str, traffic: NginxTraffic) -> None:
        self.rollout, self.traffic, self.path = rollout, traffic, Path(traffic.file)

    def check_owned(self) -> None:
        """Refuse a file golive did not write (it may hold someone's hand-made upstream)."""
        try:
            head = self.path.read_text(errors="replace")[: len(HEADER)]
        except FileNotFoundError:
            return
        if head != HEADER:
            raise TrafficError(
                f"{self.path} exists and golive does not own it (no {HEADER!r} first line):"
                f" move it away, or point traffic.nginx.file elsewhere"
            )

    async def apply(self, weights: Mapping[str, int]) -> None:
        self.check_owned()
        old = self.path.read_bytes() if self.path.exists() else None
        _write(self.path, render(self.traffic.upstream, weights, self.rollout).encode())
        failed = await _run(self.traffic.test)
        if failed is not None:
            if old is None:
                self.path.unlink(missing_ok=True)
            else:
                _write(self.path, old)
            raise TrafficError(f"`{self.traffic.test}` refused the new upstream file: {failed}")
        failed = await _run(self.traffic.reload)
        if failed is not None:
            raise TrafficError(f"`{self.traffic.reload}` failed: {failed}")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.golive-tmp")
    with tmp.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


async def _run(command: str) -> str | None:
    """None when ``command`` exits 0, else its last output lines."""
    proc = await asyncio.create_subprocess_exec(
        *shlex.split(command), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), COMMAND_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return f"timed out after {COMMAND_TIMEOUT:.0f}s"
    if proc.returncode == 0:
        return None
    tail = out.decode(errors="replace").strip().splitlines()[-3:]
    return f"exit {proc.returncode}: " + " | ".join(tail)
