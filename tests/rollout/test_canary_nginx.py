"""A canary through a real nginx in front of real ParkWise processes, under a constant load:
rolled back within seconds on errors and on latency, promoted when healthy, and no request
failing because of the shifts and reloads themselves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from golive.engine.once import open_store
from tests.rollout.conftest import CANARY, Edge, Parkwise, constant_load, drive, roll_out, start_api


async def test_a_canary_with_errors_rolls_back_within_seconds(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    v1, v2 = parkwise("1.0.0"), parkwise("2.0.0", error_rate="0.2")
    front = edge([v1])
    loaded = front.config(tmp_path, CANARY.format(stable=v1, pause="30s"))
    done, events, load = await roll_out(front.url, loaded, [v2], "2.0.0", within=20)
    assert done.state == "rolled_back", done
    assert "error rate" in done.reason
    first_step = next(e.at for e in events if e.kind == "step")
    assert done.finished_at is not None
    assert done.finished_at - first_step < timedelta(seconds=5)  # not at the end of the 30s pause
    assert front.live() == [v1]
    assert load.broken == []
    assert front.failures_not_from({v2}) == []
    assert load.statuses[200] > 100


async def test_a_slow_canary_rolls_back_on_its_p95(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    v1, v2 = parkwise("1.0.0"), parkwise("2.0.0", latency_ms="400")
    front = edge([v1])
    loaded = front.config(tmp_path, CANARY.format(stable=v1, pause="30s"))
    store = open_store(loaded)
    try:
        async with constant_load(front.url, users=8) as load:
            view = start_api(store, loaded, [v2], "2.0.0")
            done = await drive(loaded, store, view.id, within=25)
    finally:
        store.close()
    assert done.state == "rolled_back", done
    assert "p95" in done.reason
    assert front.live() == [v1]
    assert load.broken == [] and front.failures_not_from(set()) == []


async def test_a_healthy_canary_is_promoted_step_by_step_without_a_failed_request(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    v1, v2 = parkwise("1.0.0"), parkwise("2.0.0")
    front = edge([v1])
    loaded = front.config(tmp_path, CANARY.format(stable=v1, pause="1s"))
    done, events, load = await roll_out(front.url, loaded, [v2], "2.0.0", within=30)
    assert done.state == "promoted", done
    assert [e.message.split(":")[0] for e in events if e.kind == "step"] == [
        "step 1",
        "step 2",
        "step 3",
    ]
    assert front.live() == [v2]
    assert load.broken == [] and front.failures_not_from(set()) == []
    assert sum(load.statuses.values()) == load.statuses[200]
