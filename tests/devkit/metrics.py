"""Helpers shared by the metrics tests: nginx writing the reference's JSON access log, and a
metrics service over a real store on a manual clock."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path

import httpx

from devkit.ports import wait_for_port
from golive.clock import ManualClock
from golive.config import LoadedConfig, load_config
from golive.records import Signal
from golive.serve.sources import MetricsService
from golive.store import Store
from tests.devkit.services import service_context

# The reference's ``log_format golive`` (golive.reference.yaml, ``metrics:``), verbatim.
LOG_FORMAT = (
    """log_format golive escape=json '{"time":"$time_iso8601","method":"$request_method","uri":"$uri",'"""
    """ '"status":$status,"request_time":$request_time,"upstream_addr":"$upstream_addr",'"""
    """ '"upstream_response_time":"$upstream_response_time","bytes":$body_bytes_sent}';"""
)


def edge_conf(port: int, upstream: int, log: Path) -> str:
    """An edge that logs every request in the golive format; /api goes to an upstream."""
    return f"""
    {LOG_FORMAT}
    server {{
        listen 127.0.0.1:{upstream};
        access_log off;
        location / {{ return 200 'upstream'; }}
    }}
    server {{
        listen 127.0.0.1:{port};
        access_log {log} golive;
        location = /ok {{ return 200 'ok'; }}
        location = /fail {{ return 503 'down'; }}
        location /api {{ proxy_pass http://127.0.0.1:{upstream}; }}
    }}
    """


def hit(base: str, path: str, times: int) -> list[int]:
    """GET ``path`` ``times`` times; the statuses answered."""
    with httpx.Client(base_url=base) as client:
        return [client.get(path).status_code for _ in range(times)]


def config(tmp_path: Path, body: str) -> LoadedConfig:
    path = tmp_path / "golive.yaml"
    path.write_text("version: 1\nproject: shop\n" + textwrap.dedent(body))
    return load_config(path, environ={})


class Harness:
    """A metrics service as `golive serve` runs it; ``restart()`` makes a fresh one that
    knows only what the store kept."""

    def __init__(self, loaded: LoadedConfig, store: Store, clock: ManualClock) -> None:
        self.loaded, self.store, self.clock = loaded, store, clock
        self.signals: list[Signal] = []
        self.service = self._make()

    def _make(self) -> MetricsService:
        ctx = service_context(self.store, lambda: self.loaded, self.clock, self.signals.extend)
        return MetricsService(ctx)

    def restart(self) -> None:
        self.service = self._make()

    async def tick(self, environ: Mapping[str, str] | None = None) -> None:
        await self.service.tick(self.clock.now())


EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples" / "parkwise"


class Parkwise:
    """``python -m parkwise`` on ``port`` (SQLite in ``folder``); ``restart`` resets its
    counters like a deploy would."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, **env: str) -> Parkwise:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("PARKWISE_")}
        clean["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(EXAMPLE_DIR), clean.get("PYTHONPATH")])
        )
        settings = {f"PARKWISE_{k.upper()}": v for k, v in env.items()}
        log = self.folder / "parkwise.log"
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "parkwise"],
                cwd=self.folder,
                env={**clean, "PARKWISE_PORT": str(self.port), **settings},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, timeout=30, proc=self.proc, log=log)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
