"""``command:`` — a shell command's exit code and output.

The command runs in its own process group; when the check times out the whole group is killed,
so a hung pipeline leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from typing import Any

from pydantic import Field

from golive.probes.base import ProbeContext, ProbeError, ProbeKind, ProbeSpec

MAX_OUTPUT_BYTES = 64 * 1024


class CommandSpec(ProbeSpec):
    run: str = Field(min_length=1)
    cwd: str | None = None
    env: dict[str, str] = Field(default_factory=dict)

    def describe(self) -> str:
        return self.run


async def run(spec: CommandSpec, ctx: ProbeContext) -> dict[str, Any]:
    env = {**os.environ, **spec.env} if spec.env else None
    try:
        process = await asyncio.create_subprocess_shell(
            spec.run,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=spec.cwd,
            env=env,
            start_new_session=True,
        )
    except OSError as exc:
        raise ProbeError(f"cannot start command: {exc.strerror or exc}") from exc
    try:
        stdout, stderr = await process.communicate()
    except BaseException:
        _kill_group(process.pid)
        with contextlib.suppress(ProcessLookupError):
            await asyncio.shield(process.wait())
        raise
    return {
        "exit_code": process.returncode,
        "stdout": _text(stdout),
        "stderr": _text(stderr),
    }


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _text(data: bytes) -> str:
    return data[:MAX_OUTPUT_BYTES].decode("utf-8", errors="replace").strip()


KIND = ProbeKind(
    name="command",
    spec=CommandSpec,
    fields={
        "exit_code": "int: the command's exit status",
        "stdout": "string: standard output, stripped (first 64 KiB)",
        "stderr": "string: standard error, stripped (first 64 KiB)",
    },
    default_expect=("exit_code == 0",),
    run=run,
    summary="a shell command; passes on exit code 0 by default",
)
