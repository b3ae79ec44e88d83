"""Server processes: spawn, wait until ready, terminate; the ``Server`` base class.

Every ``Server`` registers itself while it runs; whatever is still running when the
interpreter exits is stopped by an ``atexit`` hook.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Self, TypeVar

from devkit.ports import HOST, command_line, ensure_alive, free_port, log_tail

__all__ = [
    "STOP_GRACE_SECONDS",
    "Fatal",
    "Server",
    "children",
    "cmdline",
    "find_binary",
    "is_root",
    "on_free_port",
    "run_checked",
    "spawn",
    "terminate",
    "wait_ready",
]

T = TypeVar("T")
STOP_GRACE_SECONDS = 5.0
_LIVE: set[Server] = set()
_LIVE_LOCK = threading.Lock()


def is_root() -> bool:
    return os.geteuid() == 0


def find_binary(name: str, *candidates: str, package: str) -> str:
    """The first executable of ``candidates``, else ``name`` on PATH; RuntimeError if none."""
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found; install it with: devkit/system.sh ({package})")
    return found


def spawn(
    cmd: Sequence[str | Path], log: Path, *, user: str | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start ``cmd`` with stdout+stderr appended to ``log`` (as ``user`` when given)."""
    creds: dict[str, Any] = {}
    env = dict(os.environ, LC_ALL="C")
    if user is not None:
        entry = pwd.getpwnam(user)
        creds = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        env.update(HOME=entry.pw_dir, USER=user, LOGNAME=user)
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(c) for c in cmd],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            **creds,
        )


def run_checked(cmd: Sequence[str | Path], log: Path, what: str, **kw: Any) -> None:
    """Run ``cmd`` to completion (at most 180 s); RuntimeError with the log tail if it fails."""
    proc = spawn(cmd, log, **kw)
    try:
        code = proc.wait(timeout=180)
    except subprocess.TimeoutExpired:
        terminate(proc)
        code = -1
    if code != 0:
        raise RuntimeError(
            f"{what} failed with code {code}\ncommand: {command_line(proc)}\n"
            f"--- log tail ({log}) ---\n{log_tail(log)}"
        )


class Fatal(Exception):
    """Raised by a readiness check when waiting longer cannot help."""


def wait_ready(
    proc: subprocess.Popen[bytes],
    log: Path,
    what: str,
    check: Callable[[], bool],
    timeout: float,
) -> None:
    """Poll ``check`` until it returns True; RuntimeError if ``proc`` dies or time runs out."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        ensure_alive(proc, what, log)
        try:
            if check():
                return
        except Fatal as exc:
            raise RuntimeError(f"{what}: {exc}") from None
        except Exception as exc:
            last_error = exc
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{what} did not answer within {timeout:.1f}s (last error: {last_error!r})\n"
                f"command: {command_line(proc)}\n--- log tail ({log}) ---\n{log_tail(log)}"
            )
        time.sleep(0.02)


def on_free_port(port: int | None, attempt: Callable[[int], T], *, udp: bool = False) -> T:
    """Run ``attempt(port)``; with no port given, retry on fresh ports if one was taken."""
    if port is not None:
        return attempt(port)
    for tries_left in range(2, -1, -1):
        try:
            return attempt(free_port(udp=udp))
        except RuntimeError as exc:
            if not tries_left or "in use" not in str(exc).lower():
                raise
    raise AssertionError("unreachable")


def children(pid: int) -> set[int]:
    """PIDs whose parent is ``pid`` (Linux /proc)."""
    kids: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            kids.add(int(entry.name))
    return kids


def cmdline(pid: int) -> str:
    """The NUL-separated command line of ``pid`` ("" once it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


class Server:
    """A server process we started; stopping it is idempotent."""

    stop_signal: ClassVar[signal.Signals] = signal.SIGTERM

    def __init__(self, proc: subprocess.Popen[bytes], base_dir: Path, log: Path) -> None:
        self.proc = proc
        self.base_dir = base_dir
        self.log = log
        self.host = HOST
        self._stop_lock = threading.Lock()
        self._stopped = False
        with _LIVE_LOCK:
            _LIVE.add(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self.log, lines)

    def stop(self) -> None:
        """Signal the server, wait up to 5 s, then kill it. Safe to call repeatedly."""
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
            with _LIVE_LOCK:
                _LIVE.discard(self)
            terminate(self.proc, self.stop_signal)
            self._cleanup()

    def _cleanup(self) -> None:
        """Hook for subclasses: runs once after the process is gone."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else f"exited({self.proc.returncode})"
        return f"<{type(self).__name__} pid={self.pid} {state} dir={self.base_dir}>"


def terminate(proc: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGTERM) -> None:
    """Send ``sig``, wait ``STOP_GRACE_SECONDS``, then SIGKILL; always reaps ``proc``."""
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
            proc.wait(timeout=STOP_GRACE_SECONDS)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait()


@atexit.register
def _stop_all() -> None:
    with _LIVE_LOCK:
        live = list(_LIVE)
    for server in live:
        server.stop()
