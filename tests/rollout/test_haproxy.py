"""A canary through a real haproxy (runtime API, no reload) under a constant load: rolled back
within seconds on errors, promoted when healthy, no request failing from the weight changes;
a socket gone mid-step is a clear error and traffic stays on a pool that answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from golive.config.ship import HaproxyTraffic
from golive.engine.once import open_store
from golive.rollout.drivers import TrafficError
from golive.rollout.drivers.haproxy import HaproxyDriver
from tests.rollout.conftest import (
    CANARY,
    Haproxy,
    Parkwise,
    constant_load,
    drive,
    roll_out,
    start_api,
)

Start = Callable[[list[str], list[str]], Haproxy]


async def weights(front: Haproxy) -> dict[str, int]:
    driver = HaproxyDriver(HaproxyTraffic(socket=str(front.socket), backend="parkwise"))
    names = await driver.servers()
    found = {}
    for addr, name in names.items():
        answer = await driver.command(f"get weight parkwise/{name}")
        found[addr] = int(answer.split()[0])
    return found


async def test_a_canary_with_errors_rolls_back_through_haproxy(
    parkwise: Parkwise, haproxy: Start, tmp_path: Path
) -> None:
    v1, v2 = parkwise("1.0.0"), parkwise("2.0.0", error_rate="0.2")
    front = haproxy([v1], [v2])
    loaded = front.config(tmp_path, CANARY.format(stable=v1, pause="30s"))
    done, events, load = await roll_out(front.url, loaded, [v2], "2", within=20)
    assert done.state == "rolled_back", done
    assert "error rate" in done.reason
    first_step = next(e.at for e in events if e.kind == "step")
    assert done.finished_at is not None
    assert done.finished_at - first_step < timedelta(seconds=5)
    assert (await weights(front))[v2] == 0
    assert load.broken == [] and front.failures_not_from({v2}) == []


async def test_a_healthy_canary_is_promoted_through_haproxy_without_a_failed_request(
    parkwise: Parkwise, haproxy: Start, tmp_path: Path
) -> None:
    v1, v2 = parkwise("1.0.0"), parkwise("2.0.0")
    front = haproxy([v1], [v2])
    loaded = front.config(tmp_path, CANARY.format(stable=v1, pause="1s"))
    store = open_store(loaded)
    try:
        async with constant_load(front.url) as load:
            view = start_api(store, loaded, [v2], "2")
            done = await drive(loaded, store, view.id, within=30)
    finally:
        store.close()
    assert done.state == "promoted", done
    assert (await weights(front)) == {v1: 0, v2: 1}
    assert load.broken == [] and front.failures_not_from(set()) == []
    assert sum(load.statuses.values()) == load.statuses[200]


async def test_a_socket_gone_mid_step_is_a_clear_error_and_traffic_stays_served(
    parkwise: Parkwise, haproxy: Start, tmp_path: Path
) -> None:
    v1, v2 = parkwise("1.0.0"), parkwise("2.0.0")
    front = haproxy([v1], [v2])
    driver = HaproxyDriver(HaproxyTraffic(socket=str(front.socket), backend="parkwise"))
    await driver.apply({v1: 9, v2: 1})
    moved = front.socket.with_name("moved.sock")
    front.socket.rename(moved)
    with pytest.raises(TrafficError, match=r"admin socket .* does not answer"):
        await driver.apply({v1: 1, v2: 0})
    async with constant_load(front.url) as load:
        pass
    assert load.broken == [] and sum(load.statuses.values()) == load.statuses[200] > 0
    moved.rename(front.socket)
    await driver.apply({v1: 1, v2: 0})
    assert await weights(front) == {v1: 1, v2: 0}
