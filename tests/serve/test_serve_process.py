"""`golive serve` as a real process: states change, reloads are validated, SIGTERM is clean."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from devkit.ports import free_port
from tests.devkit.serve import GOLIVE, Serve, states, store_of, wait_for

CONFIG = """\
version: 1
project: shop
server: {{listen: "127.0.0.1:{port}"}}
checks:
  - {{name: steady, command: {{run: "true"}}, every: 1s, timeout: 1s, fail_after: 3}}
  - {{name: flaky, command: {{run: "test ! -e {down}"}}, every: 1s, timeout: 1s, fail_after: 2}}
"""


@pytest.fixture
def server(tmp_path: Path, serve: Serve) -> tuple[subprocess.Popen[bytes], Path]:
    config = tmp_path / "golive.yaml"
    port = free_port()
    config.write_text(CONFIG.format(down=tmp_path / "down", port=port))
    return serve(config, port), config


def test_states_follow_the_target_and_survive_in_the_store(
    server: tuple[subprocess.Popen[bytes], Path],
) -> None:
    _process, config = server
    with store_of(config) as store:
        wait_for(lambda: states(store) == {"steady": "up", "flaky": "up"})
        (config.parent / "down").touch()
        wait_for(lambda: states(store).get("flaky") == "down")
        assert states(store)["steady"] == "up"


def test_a_bad_reload_is_refused_and_a_good_one_applied(
    server: tuple[subprocess.Popen[bytes], Path],
) -> None:
    process, config = server
    with store_of(config) as store:
        wait_for(lambda: states(store).get("steady") == "up")
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
    with store_of(config) as store:
        wait_for(lambda: states(store).get("added") == "up")
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=15) == 0
    assert "configuration reloaded: 3 checks" in log.read_text()
    assert not (config.parent / ".golive" / "serve.pid").exists()
