"""Prometheus (Debian's ``prometheus``) on a free 127.0.0.1 port, scraping every second.

Targets come from a file (``file_sd``) the caller rewrites with ``scrape(targets)``, so one
server lives for the whole test session; its TSDB is in ``base_dir``.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from devkit.ports import HOST, free_port, wait_for_port
from devkit.process import Server, find_binary, spawn

__all__ = ["PrometheusServer"]

CONFIG = """\
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
  evaluation_interval: 1s
scrape_configs:
  - job_name: apps
    file_sd_configs:
      - files: ["{targets}"]
        refresh_interval: 1s
"""


class PrometheusServer(Server):
    def __init__(self, proc: subprocess.Popen[bytes], base_dir: Path, log: Path, port: int) -> None:
        super().__init__(proc, base_dir, log)
        self.port = port
        self.targets = base_dir / "targets.json"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @classmethod
    def start(cls, base_dir: Path, *, timeout: float = 30.0) -> PrometheusServer:
        base_dir = Path(base_dir).resolve()
        base_dir.mkdir(parents=True, exist_ok=True)
        binary = find_binary("prometheus", "/usr/bin/prometheus", package="prometheus")
        targets = base_dir / "targets.json"
        targets.write_text("[]")
        (base_dir / "prometheus.yml").write_text(CONFIG.format(targets=targets))
        port = free_port()
        log = base_dir / "prometheus.log"
        proc = spawn(
            [
                binary,
                f"--config.file={base_dir / 'prometheus.yml'}",
                f"--storage.tsdb.path={base_dir / 'data'}",
                f"--web.listen-address={HOST}:{port}",
                "--storage.tsdb.retention.time=1h",
            ],
            log,
            cwd=base_dir,
        )
        server = cls(proc, base_dir, log, port)
        try:
            wait_for_port(port, timeout=timeout, proc=proc, log=log)
            server._wait_ready(timeout)
        except BaseException:
            server.stop()
            raise
        return server

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"prometheus not ready\n{self.log_tail()}")
            time.sleep(0.1)

    def scrape(self, targets: Sequence[str]) -> None:
        """Scrape these ``host:port`` targets (``/metrics``) from now on, instead of others."""
        fresh = self.targets.with_suffix(".tmp")
        fresh.write_text(json.dumps([{"targets": list(targets), "labels": {}}]))
        fresh.replace(self.targets)  # atomic: Prometheus never reads half a file
