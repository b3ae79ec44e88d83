"""What `golive ping` does for a job: build a check's ping URL, send one ping, or run a command
between a start ping and an end ping carrying its exit code and the tail of its output.

golive being away never breaks the job: a ping that cannot be sent is a warning, and the
command's own exit code is what `golive ping` exits with.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Sequence
from urllib.parse import quote

from golive.config import LoadedConfig

TAIL_BYTES = 10_000  # of the command's output, sent with its end ping
TIMEOUT = 10.0  # seconds per ping
CHUNK = 4096


def server_url(loaded: LoadedConfig) -> str:
    """Where the running `golive serve` answers: ``server.public_url``, else its ``listen``."""
    server = loaded.config.server
    if server.public_url:
        return server.public_url.rstrip("/")
    host = "127.0.0.1" if server.host in ("0.0.0.0", "::", "") else server.host
    host = f"[{host}]" if ":" in host else host
    return f"{'https' if server.tls else 'http'}://{host}:{server.port}"


def ping_url(base: str, check: str, secret: str) -> str:
    return f"{base.rstrip('/')}/ping/{quote(check, safe='')}/{secret}"


def send(url: str, body: bytes = b"", *, timeout: float = TIMEOUT) -> str | None:
    """POST one ping; None when golive took it, else why not (never raises)."""
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", "text/plain; charset=utf-8")
    try:
        with urllib.request.urlopen(request, timeout=timeout):
            return None
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return "golive refused the ping URL (404): wrong check or secret"
        return f"golive answered {exc.code}"
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        return f"golive cannot be reached: {reason}"


def run_reporting(
    command: Sequence[str],
    url: str | None,
    *,
    redact: Callable[[str], str],
    warn: Callable[[str], None],
    output: Callable[[bytes], None] | None = None,
) -> int:
    """Ping ``/start``, run ``command`` (its output passes through), ping ``/{exit code}``
    with the last ``TAIL_BYTES`` of its output; the command's exit code (127 if it cannot
    start). Without ``url`` the command runs and nothing is sent."""
    write = output or _stdout
    if url is not None and (problem := send(url + "/start")) is not None:
        warn(problem)
    tail: deque[bytes] = deque()
    kept = 0
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except OSError as exc:
        code = 127
        tail.append(f"golive ping: cannot run {command[0]}: {exc.strerror or exc}\n".encode())
    else:
        assert process.stdout is not None, "stdout is a pipe"
        while chunk := os.read(process.stdout.fileno(), CHUNK):
            write(chunk)
            tail.append(chunk)
            kept += len(chunk)
            while kept - len(tail[0]) >= TAIL_BYTES:
                kept -= len(tail.popleft())
        code = process.wait()
    log = b"".join(tail)[-TAIL_BYTES:].decode("utf-8", errors="replace")
    if code < 0:  # killed by a signal: report it as a shell would
        code = 128 - code
    if url is None:
        return code
    if (problem := send(f"{url}/{min(code, 255)}", redact(log).encode())) is not None:
        warn(problem)
    return code


def _stdout(chunk: bytes) -> None:
    sys.stdout.buffer.write(chunk)
    sys.stdout.buffer.flush()
