"""Bad input, each a clear message, and traffic always on a pool that answers: a file golive
does not own, `nginx -t` failing, a target that is not listening, two rollouts of one name,
a promote before any step is under analysis."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from devkit.ports import free_port
from golive.cli import app
from golive.clock import SystemClock
from golive.config.ship import NginxTraffic
from golive.engine.once import open_store
from golive.exceptions import UsageError
from golive.rollout.drivers import TrafficError
from golive.rollout.drivers.nginx import NginxDriver
from golive.rollout.run import request
from tests.rollout.conftest import Edge, Parkwise, drive, run_rollout

ROLLOUT = """rollouts:
  - name: api
    traffic: NGINX_TRAFFIC
    stable: [{stable}]
    steps: [50, 100]
    pause: 30s
    analysis: {{requests: edge, max_error_rate: 1%, min_requests: 1000}}
"""
runner = CliRunner()


async def test_a_file_golive_does_not_own_is_refused_and_left_alone(tmp_path: Path) -> None:
    mine = tmp_path / "upstream.conf"
    mine.write_text("upstream parkwise { server 127.0.0.1:9; }\n")
    driver = NginxDriver("api", NginxTraffic(upstream="parkwise", file=str(mine), test="true"))
    with pytest.raises(TrafficError, match="golive does not own it"):
        await driver.apply({"127.0.0.1:8001": 1})
    assert mine.read_text() == "upstream parkwise { server 127.0.0.1:9; }\n"


async def test_a_failing_nginx_test_restores_the_previous_file(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    v1 = parkwise("1.0.0")
    front = edge([v1])
    before = front.upstream_file.read_text()
    traffic = NginxTraffic(
        upstream="parkwise",
        file=str(front.upstream_file),
        test="false",
        reload=front.nginx("-s reload"),
    )
    with pytest.raises(TrafficError, match="refused the new upstream file"):
        await NginxDriver("api", traffic).apply({v1: 1, "127.0.0.1:9": 1})
    assert front.upstream_file.read_text() == before


async def test_a_target_that_is_not_listening_aborts_before_any_traffic_moves(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    v1 = parkwise("1.0.0")
    front = edge([v1])
    loaded = front.config(tmp_path, ROLLOUT.format(stable=v1))
    nowhere = f"127.0.0.1:{free_port()}"
    done, _events = await run_rollout(loaded, [nowhere], "2", within=10)
    assert done.state == "aborted"
    assert f"smoke: {nowhere} is not listening" in done.reason
    assert front.live() == [v1]


async def test_a_second_rollout_of_one_name_and_an_early_promote_are_refused(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    v1, v2 = parkwise("1.0.0"), parkwise("2.0.0")
    front = edge([v1])
    loaded = front.config(tmp_path, ROLLOUT.format(stable=v1))
    config = str(loaded.path)
    first = runner.invoke(
        app, ["rollout", "start", "api", "--to", v2, "--version", "2", "-c", config]
    )
    assert first.exit_code == 0, first.output
    again = runner.invoke(
        app, ["rollout", "start", "api", "--to", v2, "--version", "3", "-c", config]
    )
    assert again.exit_code == 2
    assert "rollout api is already running (#1, pending, version 2)" in again.output
    early = runner.invoke(app, ["rollout", "promote", "api", "-c", config])
    assert early.exit_code == 2
    assert "rollout api is in pending: it can be promoted once it has a step" in early.output
    bad = runner.invoke(
        app, ["rollout", "start", "api", "--to", "nowhere", "--version", "3", "-c", config]
    )
    assert bad.exit_code == 2 and "expected HOST:PORT" in bad.output
    aborted = runner.invoke(app, ["rollout", "abort", "api", "-c", config])
    assert aborted.exit_code == 0, aborted.output
    store = open_store(loaded)
    try:
        done = await drive(loaded, store, 1, within=10)
        with pytest.raises(UsageError, match="no rollout of api is running"):
            request(store, "api", "promote", SystemClock().now())
    finally:
        store.close()
    assert done.state == "aborted" and done.reason == "aborted on request"
    assert front.live() == [v1]
    history = runner.invoke(app, ["rollout", "history", "api", "--json", "-c", config])
    assert history.exit_code == 0
    assert '"state": "aborted"' in history.output
