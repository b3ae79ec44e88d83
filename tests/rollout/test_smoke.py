"""``smoke:`` checks run against each new backend through a real nginx before it gets any
traffic: a passing pool goes on to its steps, a failing one aborts with the failing expectation
in the deployment record, and a check with no host:port to replace is refused at load time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from devkit.ports import free_port
from golive.config import load_config
from golive.exceptions import ConfigError
from golive.gate.registry import argument_models
from tests.rollout.conftest import Edge, Parkwise, run_rollout

SMOKE = """checks:
  - name: api-version
    http: {{url: "http://api.parkwise.example:{port}/version"}}
    expect: ["status == 200", "json.version == '2.0.0'"]
  - name: api-port
    tcp: {{host: api.parkwise.example, port: {port}}}
rollouts:
  - name: api
    strategy: blue-green
    traffic: NGINX_TRAFFIC
    stable: [{stable}]
    pause: 1s
    interval: 500ms
    smoke: [api-version, api-port]
    analysis: {{requests: edge, max_error_rate: 1%, min_requests: 0}}
"""


async def test_smoke_checks_pass_against_the_new_pool_before_its_first_step(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    v1, v2 = parkwise("1.0.0"), parkwise("2.0.0")
    front = edge([v1])
    loaded = front.config(tmp_path, SMOKE.format(stable=v1, port=free_port()))
    done, events = await run_rollout(loaded, [v2], "2.0.0", within=20)
    assert ("smoke", "1 new backend(s) answer, passed api-version, api-port") in [
        (e.kind, e.message) for e in events
    ]
    kinds = [e.kind for e in events]
    assert kinds.index("smoke") < kinds.index("step")
    assert done.state == "promoted", done
    assert front.live() == [v2]


async def test_a_failing_smoke_expectation_aborts_before_any_traffic_with_it_on_record(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    v1, wrong_build = parkwise("1.0.0"), parkwise("1.9.9")
    front = edge([v1])
    loaded = front.config(tmp_path, SMOKE.format(stable=v1, port=free_port()))
    done, events = await run_rollout(loaded, [wrong_build], "2.0.0", within=20)
    assert done.state == "aborted"
    assert done.reason == (
        f"smoke check api-version on {wrong_build}: expected `json.version == '2.0.0'`"
        " (json.version='1.9.9')"
    )
    smoke = next(e for e in events if e.kind == "smoke")
    assert smoke.data["target"] == wrong_build
    assert smoke.data["failed"] == [
        {"expect": "json.version == '2.0.0'", "values": {"json.version": "1.9.9"}}
    ]
    assert "step" not in [e.kind for e in events]
    assert front.live() == [v1]


def test_a_check_without_a_host_and_port_to_replace_is_refused_at_load_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "golive.yaml"
    path.write_text(
        "version: 1\nproject: shop\nchecks:\n"
        "  - name: migrations\n    command: {run: ./check-migrations}\n"
        "rollouts:\n  - name: api\n    traffic: {command: {set: ./set-weights}}\n"
        "    stable: [127.0.0.1:8001]\n    smoke: [migrations]\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={}, gate_args=argument_models())
    [issue] = caught.value.issues
    assert issue.location is not None and issue.location.line == 10
    assert issue.message.startswith(
        "check migrations is a command check: only http and tcp checks can smoke a pool"
    )
