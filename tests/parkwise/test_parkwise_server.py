"""``python -m parkwise`` as a real process, probed over TCP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from devkit.ports import free_port, wait_for_port
from devkit.servers import PostgresServer, RedisServer

EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples" / "parkwise"


@dataclass
class Running:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 15) -> int:
        self.proc.send_signal(signum)
        return self.proc.wait(timeout=timeout)


Start = Callable[..., Running]


def _spawn(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], Path]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PARKWISE_")}
    clean["PYTHONPATH"] = os.pathsep.join(filter(None, [str(EXAMPLE_DIR), clean.get("PYTHONPATH")]))
    log = tmp_path / f"parkwise-{len(list(tmp_path.glob('parkwise-*.log')))}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "parkwise"],
            cwd=tmp_path,
            env={**clean, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return proc, log


@pytest.fixture
def start_parkwise(tmp_path: Path) -> Iterator[Start]:
    """``start_parkwise(PARKWISE_X=...)`` runs the app on a free port and waits for it."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(**env: str) -> Running:
        port = free_port()
        proc, log = _spawn(tmp_path, {"PARKWISE_PORT": str(port), **env})
        procs.append(proc)
        wait_for_port(port, timeout=30, proc=proc, log=log)
        return Running(proc, port, log)

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_the_server_answers_health_and_metrics_over_tcp(
    start_parkwise: Start, tmp_path: Path
) -> None:
    server = start_parkwise(PARKWISE_VERSION="4.5.6")
    assert (tmp_path / "parkwise.db").is_file()  # no PARKWISE_DATA_DIR: SQLite in the cwd
    with httpx.Client(base_url=server.base_url, timeout=5) as http:
        health = http.get("/health")
        assert health.status_code == 200
        assert health.json()["status"] == "healthy"
        assert health.json()["version"] == "4.5.6"
        assert http.get("/api/facilities/1").status_code == 200
        metrics = http.get("/metrics")
    assert metrics.status_code == 200
    assert 'http_requests_total{method="GET",route="/health",status="200"} 1.0' in metrics.text
    assert 'route="/api/facilities/{id}"' in metrics.text
    assert "http_request_duration_seconds_bucket" in metrics.text


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_server_logs_one_start_line_and_stops_cleanly_on_a_signal(
    start_parkwise: Start, signum: signal.Signals
) -> None:
    server = start_parkwise(PARKWISE_VERSION="7.0.0")
    httpx.get(server.base_url + "/api/facilities", timeout=5)
    assert server.stop(signum) == 0
    log = server.log.read_text()
    starts = [line for line in log.splitlines() if "starting on" in line]
    assert len(starts) == 1
    assert "parkwise 7.0.0" in starts[0]
    assert "db=sqlite" in starts[0]
    assert "redis=off" in starts[0]
    assert "GET /api/facilities" not in log  # no access log
    assert "parkwise 7.0.0 stopped" in log
    assert "Traceback" not in log
    assert f"shut down after signal {int(signum)}" in log


def test_the_server_uses_postgres_and_redis_when_configured(
    start_parkwise: Start, postgres_server: PostgresServer, redis_server: RedisServer
) -> None:
    database_url = postgres_server.create_database("parkwise_subprocess")
    server = start_parkwise(PARKWISE_DATABASE_URL=database_url, PARKWISE_REDIS_URL=redis_server.url)
    health = httpx.get(server.base_url + "/health", timeout=5)
    assert health.status_code == 200
    checks = health.json()["checks"]
    assert checks["database"]["status"] == "ok"
    assert checks["redis"]["status"] == "ok"
    assert server.stop() == 0
    assert "db=postgresql, redis=on" in server.log.read_text()


def test_a_bad_setting_stops_the_server_before_it_starts(tmp_path: Path) -> None:
    proc, log = _spawn(tmp_path, {"PARKWISE_ERROR_RATE": "lots"})
    assert proc.wait(timeout=30) == 2
    assert "PARKWISE_ERROR_RATE" in log.read_text()


def test_the_server_exits_when_the_database_is_unreachable(tmp_path: Path) -> None:
    unreachable = f"postgresql://postgres@127.0.0.1:{free_port()}/parkwise"
    proc, log = _spawn(tmp_path, {"PARKWISE_DATABASE_URL": unreachable})
    assert proc.wait(timeout=30) == 3
    assert "cannot prepare the database" in log.read_text()


def read_by_server(port: int, client_port: int) -> bool:
    """Whether the server side of our connection (Linux /proc/net/tcp) is established and has
    read everything we sent: the request is then inside the app."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state, queues = fields[1], fields[2], fields[3], fields[4]
        if (
            int(local.split(":")[1], 16) == port
            and int(remote.split(":")[1], 16) == client_port
            and state == "01"  # ESTABLISHED
            and int(queues.split(":")[1], 16) == 0  # rx_queue: nothing left unread
        ):
            return True
    return False


def test_sigterm_lets_a_request_in_flight_finish(start_parkwise: Start) -> None:
    server = start_parkwise(PARKWISE_LATENCY_MS="1000")
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as client:
        client.sendall(
            b"GET /api/facilities HTTP/1.1\r\nHost: parkwise\r\nConnection: close\r\n\r\n"
        )
        client_port = client.getsockname()[1]
        deadline = time.monotonic() + 30
        while not read_by_server(server.port, client_port):  # no fixed sleep: poll
            assert time.monotonic() < deadline, "the app never read the request"
            time.sleep(0.01)
        server.proc.send_signal(signal.SIGTERM)
        response = b""
        while chunk := client.recv(65536):
            response += chunk
    assert response.startswith(b"HTTP/1.1 200"), response[:200]
    assert server.proc.wait(timeout=15) == 0
