"""Helpers shared by the metrics tests: nginx writing the reference's JSON access log, and a
metrics service over a real store on a manual clock."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

import httpx

from golive.clock import ManualClock
from golive.config import LoadedConfig, load_config
from golive.records import Signal
from golive.serve.metrics import Metrics
from golive.serve.services import ServiceContext
from golive.serve.sources import MetricsService
from golive.store import Store

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


def hit(base: str, path: str, times: int) -> None:
    with httpx.Client(base_url=base) as client:
        for _ in range(times):
            client.get(path)


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
        ctx = ServiceContext(
            store=self.store,
            clock=self.clock,
            environ={},
            metrics=Metrics(),
            config=lambda: self.loaded,
            wake=lambda: None,
            stopping=lambda: False,
            signal=self.signals.extend,
        )
        return MetricsService(ctx)

    def restart(self) -> None:
        self.service = self._make()

    async def tick(self, environ: Mapping[str, str] | None = None) -> None:
        await self.service.tick(self.clock.now())
