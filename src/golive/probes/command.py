"""``command:`` — a shell command's exit code and output.

The command runs in its own process group; when the check times out the whole group is killed,
so a hung pipeline leaves nothing behind, and golive lets go of its output pipes, so a process
that left the group (``setsid``) holding them open cannot stretch the run past its timeout.
It sees only PATH, HOME and LANG of golive's environment, plus its own ``env:``.
"""

from __future__ import annotations

import contextlib
import os
import signal
from typing import TYPE_CHECKING, Any

from pydantic import Field

from golive import settings
from golive.probes.base import ProbeContext, ProbeError, ProbeKind, ProbeSpec

if TYPE_CHECKING:
    import asyncio

MAX_OUTPUT_BYTES = 64 * 1024
KILL_GRACE = 1.0  # seconds: how long a killed command may take to be reaped


class CommandSpec(ProbeSpec):
    run: str = Field(min_length=1)
    cwd: str | None = None
    env: dict[str, str] = Field(default_factory=dict)

    def describe(self) -> str:
        return self.run


async def run(spec: CommandSpec, ctx: ProbeContext) -> dict[str, Any]:
    import asyncio  # imported on use: loading a config (golive validate) never needs it

    env = {**settings.command_environ(), **spec.env}
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
        async with asyncio.timeout(ctx.timeout):
            stdout, stderr = await process.communicate()
    except BaseException:
        await _end(process)
        raise
    return {
        "exit_code": process.returncode,
        "stdout": _text(stdout),
        "stderr": _text(stderr),
    }


async def _end(process: asyncio.subprocess.Process) -> None:
    """Kill the command's process group and close golive's ends of its pipes, then wait a
    little for it to be reaped (``wait()`` alone would also wait for every pipe to close)."""
    import asyncio

    _kill_group(process.pid)
    transport = getattr(process, "_transport", None)  # asyncio has no public way to close it
    if isinstance(transport, asyncio.SubprocessTransport):
        transport.close()
    with contextlib.suppress(ProcessLookupError, TimeoutError):
        async with asyncio.timeout(KILL_GRACE):
            await process.wait()


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
