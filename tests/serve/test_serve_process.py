"""`golive serve` as a real process: states change, reloads are validated, SIGTERM is clean."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devkit.ports import free_port

GOLIVE = [sys.executable, "-m", "golive"]
CONFIG = """\
version: 1
project: shop
server: {{listen: "127.0.0.1:{port}"}}
checks:
  - {{name: steady, command: {{run: "true"}}, every: 1s, timeout: 1s}}
  - {{name: flaky, command: {{run: "test ! -e {down}"}}, every: 1s, timeout: 1s, fail_after: 2}}
"""


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def states(config: Path) -> dict[str, str]:
    done = subprocess.run(
        [*GOLIVE, "status", "--json", "-c", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    return (
        {row["name"]: row["state"] for row in json.loads(done.stdout)["checks"]}
        if done.stdout.strip()
        else {}
    )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    config = tmp_path / "golive.yaml"
    config.write_text(CONFIG.format(down=tmp_path / "down", port=free_port()))
    with (tmp_path / "serve.log").open("w") as log:
        process = subprocess.Popen(
            [*GOLIVE, "serve", "-c", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        yield process, config
        if process.poll() is None:
            process.kill()
        process.wait()


def test_states_follow_the_target_and_survive_in_the_store(
    server: tuple[subprocess.Popen[str], Path],
) -> None:
    _process, config = server
    wait_for(lambda: states(config) == {"steady": "up", "flaky": "up"})
    (config.parent / "down").touch()
    wait_for(lambda: states(config).get("flaky") == "down")
    assert states(config)["steady"] == "up"


def test_a_bad_reload_is_refused_and_a_good_one_applied(
    server: tuple[subprocess.Popen[str], Path],
) -> None:
    process, config = server
    wait_for(lambda: states(config).get("steady") == "up")
    good = config.read_text()
    config.write_text(good + "  - {name: broken, tcp: {host: x}}\n")
    refused = subprocess.run(
        [*GOLIVE, "reload", "-c", str(config)], capture_output=True, text=True, check=False
    )
    assert refused.returncode == 2
    assert "missing required key 'port'" in refused.stdout + refused.stderr
    process.send_signal(signal.SIGHUP)  # the server validates too, and keeps the old config
    log = config.parent / "serve.log"
    wait_for(lambda: "reload refused, still running the previous config" in log.read_text())
    config.write_text(good + "  - {name: added, command: {run: 'true'}, every: 1s, timeout: 1s}\n")
    applied = subprocess.run(
        [*GOLIVE, "reload", "-c", str(config)], capture_output=True, text=True, check=False
    )
    assert applied.returncode == 0, applied.stdout + applied.stderr
    wait_for(lambda: states(config).get("added") == "up")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    assert "configuration reloaded: 3 checks" in log.read_text()
    assert not (config.parent / ".golive" / "serve.pid").exists()
