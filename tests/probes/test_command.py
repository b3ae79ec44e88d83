"""The command probe with real subprocesses."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.probes.base import ProbeContext
from golive.probes.command import CommandSpec, run


async def test_it_reports_exit_code_and_output() -> None:
    fields = await run(CommandSpec(run="echo out; echo err >&2; exit 3"), ProbeContext(timeout=5))
    assert fields == {"exit_code": 3, "stdout": "out", "stderr": "err"}


async def test_it_runs_in_the_given_folder_with_extra_env(tmp_path: Path) -> None:
    spec = CommandSpec(run='echo "$PWD $GREETING"', cwd=str(tmp_path), env={"GREETING": "hi"})
    fields = await run(spec, ProbeContext(timeout=5))
    assert fields["stdout"] == f"{tmp_path} hi"


async def test_golives_own_environment_does_not_reach_the_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("UNRELATED_SECRET", "sk-do-not-print")
    spec = CommandSpec(run='echo "[$UNRELATED_SECRET]"; env', env={"GREETING": "hi"})
    fields = await run(spec, ProbeContext(timeout=5))
    assert "sk-do-not-print" not in fields["stdout"]
    names = {line.split("=", 1)[0] for line in fields["stdout"].splitlines()[1:]}
    assert names <= {"PATH", "HOME", "LANG", "GREETING", "PWD", "SHLVL", "_", "OLDPWD"}
    assert {"PATH", "GREETING"} <= names


async def test_programs_are_found_on_path_in_the_minimal_environment() -> None:
    fields = await run(CommandSpec(run="basename /a/b/c"), ProbeContext(timeout=5))
    assert fields == {"exit_code": 0, "stdout": "c", "stderr": ""}


async def test_a_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    spec = CommandSpec(run=f"sleep 30 & echo $! > {pid_file}; wait")
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.5):
            await run(spec, ProbeContext(timeout=0.5))
    child = int(pid_file.read_text())
    for _ in range(50):
        if not _alive(child):
            break
        await asyncio.sleep(0.02)
    assert not _alive(child), "the background child survived the timeout"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


@pytest.fixture
def detached(tmp_path: Path) -> Iterator[Path]:
    """A file the test's detached process writes its pid to; that process is killed after."""
    pid_file = tmp_path / "detached.pid"
    yield pid_file
    if pid_file.exists():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)


def holds_output_open(pid_file: Path) -> str:
    """A command whose background process leaves the group (own session) with stdout open."""
    return f"(setsid sh -c 'echo $$ > {pid_file}; exec sleep 25' &); sleep 10"


async def test_the_timeout_holds_when_a_detached_process_keeps_stdout_open(detached: Path) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        await run(CommandSpec(run=holds_output_open(detached)), ProbeContext(timeout=1))
    assert time.monotonic() - started < 3


async def test_a_cancelled_run_ends_when_a_detached_process_keeps_stdout_open(
    detached: Path,
) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(1):
            await run(CommandSpec(run=holds_output_open(detached)), ProbeContext(timeout=60))
    assert time.monotonic() - started < 3
