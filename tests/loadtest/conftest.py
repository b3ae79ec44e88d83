"""A server with a known latency schedule (devkit.latency_server), one per test that needs it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devkit.latency_server import LatencyServer

StartLatency = Callable[..., LatencyServer]


@pytest.fixture
def latency_server(tmp_path: Path) -> Iterator[StartLatency]:
    started: list[LatencyServer] = []

    def start(**schedule: float) -> LatencyServer:
        server = LatencyServer.start(tmp_path / "latency", **schedule)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
