"""nginx: a generated top-level config around the caller's ``http {}`` body.

Every ``listen`` must be an explicit 127.0.0.1 address; ``reload`` swaps the ``http {}``
body and waits until the new worker (and no old one) accepts connections.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from devkit.ports import ensure_port_free, wait_for_port
from devkit.process import Fatal, Server, children, cmdline, find_binary, is_root, spawn, wait_ready

__all__ = ["NginxServer"]

_LISTEN = re.compile(r"(?:^|[;{}])\s*listen\s+([^\s;]+)", re.MULTILINE)


def _check_listens(http_conf: str) -> None:
    """Refuse any ``listen`` that is not an explicit loopback address."""
    conf = re.sub(r"#[^\n]*", "", http_conf)
    for match in _LISTEN.finditer(conf):
        where = match.group(1)
        if not re.fullmatch(r"127\.0\.0\.1:\d+|unix:.+", where):
            raise ValueError(f"nginx may only listen on 127.0.0.1:PORT, not {where!r}")
    for match in re.finditer(r"(?:^|[;{}])\s*(?P<server>server)\s*\{", conf):
        if conf.count("{", 0, match.start("server")) - conf.count("}", 0, match.start("server")):
            continue  # not an http-level server block
        depth, end = 0, match.end() - 1
        for end in range(match.end() - 1, len(conf)):
            depth += {"{": 1, "}": -1}.get(conf[end], 0)
            if depth == 0:
                break
        if not _LISTEN.search(conf[match.end() : end]):
            raise ValueError("every server {} needs a listen 127.0.0.1:PORT (default is *:80)")


def _q(path: Path) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


class NginxServer(Server):
    """nginx with a generated top-level config around the caller's ``http {}`` body."""

    def __init__(
        self, proc: subprocess.Popen[bytes], base_dir: Path, log: Path, ports: list[int]
    ) -> None:
        super().__init__(proc, base_dir, log)
        self.ports = ports
        self.conf_path = base_dir / "nginx.conf"

    @classmethod
    def start(
        cls, base_dir: Path, http_conf: str, *, ports: Sequence[int], timeout: float = 30.0
    ) -> NginxServer:
        base_dir = Path(base_dir).resolve()
        base_dir.mkdir(parents=True, exist_ok=True)
        conf_path = base_dir / "nginx.conf"
        conf_path.write_text(cls.render(base_dir, http_conf))
        for port in ports:
            ensure_port_free(port)
        log = base_dir / "nginx.log"
        proc = spawn([*cls._cmd(base_dir)], log, cwd=base_dir)
        server = cls(proc, base_dir, log, list(ports))
        try:
            server._wait_serving(set(), timeout)
        except BaseException:
            server.stop()
            raise
        return server

    @staticmethod
    def _cmd(base_dir: Path) -> list[str]:
        nginx = find_binary("nginx", "/usr/sbin/nginx", package="nginx-light")
        conf, log = base_dir / "nginx.conf", base_dir / "nginx.log"
        return [nginx, "-p", f"{base_dir}/", "-c", str(conf), "-e", str(log)]

    @staticmethod
    def render(base_dir: Path, http_conf: str) -> str:
        """The full nginx.conf: everything (pid, logs, temp files) lives in ``base_dir``."""
        _check_listens(http_conf)
        tmp = base_dir / "tmp"
        temps = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        for name in temps:
            (tmp / name).mkdir(parents=True, exist_ok=True)
        temp_lines = "\n".join(f"    {t}_temp_path {_q(tmp / t)};" for t in temps)
        user = "user root;\n" if is_root() else ""  # workers must read root-only 0700 dirs
        return (
            "daemon off;\nmaster_process on;\nworker_processes 1;\n"
            f"worker_rlimit_nofile 8192;\n{user}"
            f"pid {_q(base_dir / 'nginx.pid')};\n"
            f"error_log {_q(base_dir / 'nginx.log')} notice;\n"
            "events { worker_connections 4096; }\n"
            "http {\n    access_log off;\n"
            f"{temp_lines}\n    include /etc/nginx/mime.types;\n"
            f"{http_conf}\n}}\n"
        )

    def _wait_serving(self, old_workers: set[int], timeout: float, log_offset: int = 0) -> None:
        """Wait for a new worker, for ``old_workers`` to stop accepting, and for every port."""
        deadline = time.monotonic() + timeout

        def switched() -> bool:
            with self.log.open("rb") as f:
                f.seek(log_offset)
                if b"[emerg]" in f.read():  # e.g. a reload that cannot bind its new port
                    raise Fatal(f"nginx refused the config\n{self.log_tail()}")
            workers = children(self.pid)
            # nginx retitles a worker just before it closes its listening sockets
            old_serving = [p for p in workers & old_workers if "shutting" not in cmdline(p)]
            return bool(workers - old_workers) and not old_serving

        wait_ready(self.proc, self.log, "nginx", switched, timeout)
        for port in self.ports:
            remaining = max(0.1, deadline - time.monotonic())
            wait_for_port(port, timeout=remaining, proc=self.proc, log=self.log)

    def reload(
        self, http_conf: str, *, ports: Sequence[int] | None = None, timeout: float = 30.0
    ) -> None:
        """Swap in a new ``http {}`` body: ``nginx -t``, SIGHUP, wait for the new worker."""
        old_conf = self.conf_path.read_text()
        self.conf_path.write_text(self.render(self.base_dir, http_conf))
        test = subprocess.run([*self._cmd(self.base_dir), "-t"], capture_output=True, text=True)
        if test.returncode != 0:
            self.conf_path.write_text(old_conf)
            raise RuntimeError(f"nginx -t rejected the new config:\n{test.stderr}")
        old_ports = self.ports
        if ports is not None:
            self.ports = list(ports)
        old_workers = children(self.pid)
        log_offset = self.log.stat().st_size
        self.proc.send_signal(signal.SIGHUP)
        try:
            self._wait_serving(old_workers, timeout, log_offset)
        except RuntimeError:
            self.conf_path.write_text(old_conf)  # nginx keeps running the old config
            self.ports = old_ports
            raise
