"""Redis: ``redis-server`` on a free 127.0.0.1 port, without persistence.

Named ``redis_server`` so that it is never confused with the redis-py ``redis`` package.
"""

from __future__ import annotations

import re
import socket
import subprocess
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from devkit.ports import HOST, ensure_port_free
from devkit.process import Server, find_binary, on_free_port, spawn, wait_ready

__all__ = ["RedisServer"]


def _resp(*args: str) -> bytes:
    parts = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


class RedisServer(Server):
    """``redis-server`` without persistence."""

    def __init__(
        self,
        proc: subprocess.Popen[bytes],
        base_dir: Path,
        log: Path,
        port: int,
        password: str | None,
    ) -> None:
        super().__init__(proc, base_dir, log)
        self.port = port
        self.password = password

    @classmethod
    def start(
        cls,
        base_dir: Path,
        *,
        port: int | None = None,
        maxmemory: str | None = None,
        password: str | None = None,
        extra_args: Sequence[str] = (),
        timeout: float = 30.0,
    ) -> RedisServer:
        if {"--bind", "--port", "--protected-mode"} & set(extra_args):
            raise ValueError("redis listens on 127.0.0.1 only; use port=, not extra_args")
        base_dir = Path(base_dir).resolve()
        base_dir.mkdir(parents=True, exist_ok=True)
        binary = find_binary("redis-server", "/usr/bin/redis-server", package="redis-server")
        log = base_dir / "redis.log"

        def launch(p: int) -> RedisServer:
            ensure_port_free(p)
            cmd = [binary, "--port", str(p), "--bind", HOST, "--save", "", "--appendonly", "no"]
            cmd += ["--dir", str(base_dir), "--daemonize", "no"]
            if maxmemory is not None:
                cmd += ["--maxmemory", maxmemory]
            if password is not None:
                cmd += ["--requirepass", password]
            proc = spawn([*cmd, *extra_args], log)
            server = cls(proc, base_dir, log, p, password)
            try:
                wait_ready(proc, log, "redis-server", server._answers, timeout)
            except BaseException:
                server.stop()
                raise
            return server

        return on_free_port(port, launch)

    def _answers(self) -> bool:
        # Plain RESP over a socket: importing redis-py costs ~0.5 s and its default
        # Retry (exponential backoff) turns one refused connection into seconds.
        with socket.create_connection((HOST, self.port), timeout=2) as sock:
            if self.password is not None:
                sock.sendall(_resp("AUTH", self.password))
            sock.sendall(_resp("INFO", "server"))
            reply = b""
            while (found := re.search(rb"process_id:(\d+)\r\n", reply)) is None:
                if re.search(rb"(^|\r\n)-", reply):
                    raise RuntimeError(f"redis answered {reply!r}")
                chunk = sock.recv(65536)
                if not chunk:
                    raise RuntimeError(f"redis closed the connection after {reply!r}")
                reply += chunk
        if int(found.group(1)) != self.pid:
            raise RuntimeError(f"port {self.port} is answered by another redis")
        return True

    @property
    def url(self) -> str:
        auth = f":{quote(self.password, safe='')}@" if self.password is not None else ""
        return f"redis://{auth}{HOST}:{self.port}/0"
