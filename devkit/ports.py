"""Free loopback ports and waiting until a server listens on one."""

from __future__ import annotations

import os
import random
import shlex
import socket
import subprocess
import time
from pathlib import Path

HOST = "127.0.0.1"


# Under pytest-xdist each worker takes ports from its own slice of 10000 up to the kernel's
# ephemeral range: two workers never pick the same port between a check and a server's bind,
# and no outgoing connection's source port can take one meanwhile.
WORKER_PORTS_LOW = 10_000
WORKER_SLOTS = 16
_handed_out: set[int] = set()


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def worker_ports(worker: str | None) -> range | None:
    """The ports of xdist worker ``worker`` ("gw3"); None outside xdist."""
    if not worker or not worker.startswith("gw") or not worker[2:].isdigit():
        return None
    span = max(_ephemeral_low() - WORKER_PORTS_LOW, WORKER_SLOTS) // WORKER_SLOTS
    low = WORKER_PORTS_LOW + (int(worker[2:]) % WORKER_SLOTS) * span
    return range(low, low + span)


def _bindable(port: int, *, udp: bool) -> bool:
    kinds = [socket.SOCK_STREAM, socket.SOCK_DGRAM] if udp else [socket.SOCK_STREAM]
    for kind in kinds:
        with socket.socket(socket.AF_INET, kind) as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                return False
    return True


def free_port(*, udp: bool = False, worker: str | None = None) -> int:
    """Return a port that is free on 127.0.0.1 (for TCP, and also UDP when ``udp``).

    Inside a pytest-xdist worker (``worker``, default ``$PYTEST_XDIST_WORKER``) it comes from
    that worker's own range and is not handed out twice by this process."""
    ports = worker_ports(worker or os.environ.get("PYTEST_XDIST_WORKER"))
    if ports is not None:
        for _ in range(2):
            start = random.randrange(len(ports))
            for offset in range(len(ports)):
                port = ports[(start + offset) % len(ports)]
                if port not in _handed_out and _bindable(port, udp=udp):
                    _handed_out.add(port)
                    return port
            _handed_out.difference_update(ports)  # each handed out once: start over
        raise RuntimeError(f"no free port left in {ports} on {HOST}")
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
