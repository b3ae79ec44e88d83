"""Blue-green and rolling through a real nginx under a constant load, and a golive killed
(SIGKILL) mid-rollout that a new process resumes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from golive.clock import SystemClock
from golive.engine.once import open_store
from golive.rollout.run import start, tick
from golive.store.rollouts import active_rollout, rollout_events
from tests.rollout.conftest import Edge, Parkwise, constant_load, drive, start_api

STRATEGY = """rollouts:
  - name: api
    strategy: {strategy}
    traffic: NGINX_TRAFFIC
    stable: [{stable}]
    pause: {pause}
    interval: 500ms
    analysis: {{requests: edge, max_error_rate: 1%, min_requests: 30}}
"""


async def test_blue_green_switches_all_at_once_and_back_when_green_fails(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    blue, green = parkwise("1.0.0"), parkwise("2.0.0", error_rate="0.2")
    front = edge([blue])
    body = STRATEGY.format(strategy="blue-green", stable=blue, pause="30s")
    loaded = front.config(tmp_path, body)
    store = open_store(loaded)
    try:
        async with constant_load(front.url) as load:
            view = start_api(store, loaded, [green], "2")
            done = await drive(loaded, store, view.id, within=20)
            steps = [e.message for e in rollout_events(store, view.id) if e.kind == "step"]
    finally:
        store.close()
    assert steps == ["step 1: 100% on blue-green"]
    assert done.state == "rolled_back" and "error rate" in done.reason
    assert front.live() == [blue]
    assert load.broken == [] and front.failures_not_from({green}) == []


async def test_blue_green_keeps_blue_as_backup_after_the_switch(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    blue, green = parkwise("1.0.0"), parkwise("2.0.0")
    front = edge([blue])
    loaded = front.config(tmp_path, STRATEGY.format(strategy="blue-green", stable=blue, pause="1s"))
    store = open_store(loaded)
    try:
        async with constant_load(front.url) as load:
            view = start_api(store, loaded, [green], "2")
            done = await drive(loaded, store, view.id, within=20)
    finally:
        store.close()
    assert done.state == "promoted"
    assert front.live() == [green]
    assert f"server {blue} backup;" in front.upstream_file.read_text()
    assert load.broken == [] and sum(load.statuses.values()) == load.statuses[200]


async def test_rolling_replaces_one_backend_at_a_time(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    old = [parkwise("1.0.0"), parkwise("1.0.0")]
    new = [parkwise("2.0.0"), parkwise("2.0.0")]
    front = edge(old)
    body = STRATEGY.format(strategy="rolling", stable=", ".join(old), pause="1s")
    loaded = front.config(tmp_path, body)
    store = open_store(loaded)
    try:
        async with constant_load(front.url) as load:
            view = start_api(store, loaded, new, "2")
            done = await drive(loaded, store, view.id, within=30)
            pools = [e.data["weights"] for e in rollout_events(store, view.id) if e.kind == "step"]
    finally:
        store.close()
    assert done.state == "promoted", done
    assert pools == [
        {old[0]: 0, old[1]: 1, new[0]: 1, new[1]: 0},
        {old[0]: 0, old[1]: 0, new[0]: 1, new[1]: 1},
    ]
    assert front.live() == new
    assert load.broken == [] and sum(load.statuses.values()) == load.statuses[200]


async def test_a_golive_killed_mid_rollout_is_resumed_by_the_next_process(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    v1, v2 = parkwise("1.0.0"), parkwise("2.0.0")
    front = edge([v1])
    loaded = front.config(tmp_path, STRATEGY.format(strategy="canary", stable=v1, pause="3s"))
    store = open_store(loaded)
    try:
        async with constant_load(front.url) as load:
            golive = subprocess.Popen(  # noqa: ASYNC220 - a real process to SIGKILL
                [
                    sys.executable,
                    "-m",
                    "golive",
                    "rollout",
                    "start",
                    "api",
                    "--to",
                    v2,
                    "--version",
                    "2",
                    "--wait",
                    "-c",
                    str(loaded.path),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=dict(os.environ),
            )
            deadline = time.monotonic() + 20
            while (view := active_rollout(store, "api")) is None or view.state != "step":
                assert time.monotonic() < deadline and golive.poll() is None
                await _pause()
            golive.send_signal(signal.SIGKILL)
            golive.wait()
            assert view.step == 0 and front.live() == [v1, v2]
            done = await drive(loaded, store, view.id, within=30, resumed=set())
            events = [e.kind for e in rollout_events(store, view.id)]
    finally:
        store.close()
    assert "resumed" in events
    assert done.state == "promoted"
    assert front.live() == [v2]
    assert load.broken == [] and sum(load.statuses.values()) == load.statuses[200]


async def _pause() -> None:
    import asyncio

    await asyncio.sleep(0.1)


async def test_a_rollout_whose_new_pool_died_with_golive_goes_back_to_stable(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    v1 = parkwise("1.0.0")
    v2 = parkwise("2.0.0")
    front = edge([v1])
    loaded = front.config(tmp_path, STRATEGY.format(strategy="canary", stable=v1, pause="1m"))
    store = open_store(loaded)
    try:
        view = start(
            store, loaded, "api", targets=[v2], version="2", commit=None, now=SystemClock().now()
        )
        await tick(store, loaded, SystemClock().now(), {view.id})  # pending -> smoke
        await tick(store, loaded, SystemClock().now(), {view.id})  # smoke -> step 1
        assert front.live() == [v1, v2]
        parkwise.stop(v2)  # the new pool dies while golive is away
        async with constant_load(front.url) as load:
            done = await drive(loaded, store, view.id, within=10, resumed=set())
    finally:
        store.close()
    assert done.state == "rolled_back"
    assert done.reason.startswith(f"could not resume: {v2} is not listening")
    assert front.live() == [v1]
    assert load.broken == [] and sum(load.statuses.values()) == load.statuses[200]
