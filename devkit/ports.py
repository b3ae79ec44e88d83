"""Free loopback ports and waiting until a server listens on one."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import time
from pathlib import Path

HOST = "127.0.0.1"


def free_port(*, udp: bool = False) -> int:
    """Return a port that is free on 127.0.0.1 (for TCP, and also UDP when ``udp``)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind((HOST, 0))
            port: int = tcp.getsockname()[1]
            if not udp:
                return port
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as dgram:
                try:
                    dgram.bind((HOST, port))
                except OSError:
                    continue
                return port
    raise RuntimeError("could not find a free port on 127.0.0.1")


def log_tail(path: Path | None, lines: int = 30) -> str:
    """The last ``lines`` lines of a log file, or a note when there is none."""
    if path is None:
        return "(no log)"
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"(cannot read {path}: {exc})"
    tail = "\n".join(text.splitlines()[-lines:])
    return tail or f"({path} is empty)"


def command_line(proc: subprocess.Popen[bytes] | None) -> str:
    """The command a process was started with, shell-quoted."""
    if proc is None:
        return "?"
    args = proc.args
    if isinstance(args, str | bytes | os.PathLike):
        return os.fsdecode(args)
    return shlex.join(os.fsdecode(a) for a in args)


def ensure_alive(proc: subprocess.Popen[bytes] | None, what: str, log: Path | None) -> None:
    """Raise RuntimeError with the log tail when ``proc`` has exited."""
    if proc is not None and proc.poll() is not None:
        raise RuntimeError(
            f"{what} exited with code {proc.returncode} while starting\n"
            f"command: {command_line(proc)}\n"
            f"--- log tail ({log}) ---\n{log_tail(log)}"
        )


def wait_for_port(
    port: int,
    *,
    timeout: float = 10.0,
    proc: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
) -> None:
    """Block until 127.0.0.1:``port`` accepts TCP connections.

    Raises RuntimeError (with the tail of ``log``) when ``proc`` dies first or when
    ``timeout`` seconds pass.
    """
    deadline = time.monotonic() + timeout
    while True:
        ensure_alive(proc, f"process listening on port {port}", log)
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"nothing accepted connections on {HOST}:{port} within {timeout:.1f}s\n"
                f"command: {command_line(proc)}\n--- log tail ({log}) ---\n{log_tail(log)}"
            )
        time.sleep(0.02)


def ensure_port_free(port: int, *, udp: bool = False) -> None:
    """Raise RuntimeError ("... in use") unless 127.0.0.1:``port`` can be bound.

    Checked right before starting a server, so a readiness probe can never be answered
    by some other process that already owns the port.
    """
    kinds = [socket.SOCK_STREAM, socket.SOCK_DGRAM] if udp else [socket.SOCK_STREAM]
    for kind in kinds:
        with socket.socket(socket.AF_INET, kind) as sock:
            if kind == socket.SOCK_STREAM:  # servers set it too: TIME_WAIT is no conflict
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((HOST, port))
            except OSError as exc:
                raise RuntimeError(f"port {port} on {HOST} is already in use") from exc
