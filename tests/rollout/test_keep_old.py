"""Blue-green's ``keep_old`` through a real nginx under a constant load: a rollback within it
switches all traffic back to the old pool at once, recorded like other endings (deployment
record, the open incident's timeline, evidence); once it is over the service takes the old
pool out of the upstream file and a rollback is refused with a clear message."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from golive.cli import app
from golive.clock import SystemClock
from golive.config.ship import HaproxyTraffic
from golive.engine.once import open_store
from golive.exceptions import UsageError
from golive.incidents.lifecycle import open_incident
from golive.incidents.timeline import read
from golive.rollout.drivers.haproxy import HaproxyDriver
from golive.rollout.keep import RETIRED, retire_old, switch_back
from golive.store.rollouts import rollout_events
from tests.rollout.conftest import Edge, Haproxy, Parkwise, constant_load, drive, start_api

BLUE_GREEN = """rollouts:
  - name: api
    strategy: blue-green
    traffic: NGINX_TRAFFIC
    stable: [{stable}]
    pause: 1s
    interval: 500ms
    keep_old: 10m
    analysis: {{requests: edge, max_error_rate: 1%, min_requests: 30}}
"""
runner = CliRunner()


async def answered_by(front: Edge, offset: int, count: int) -> list[str]:
    """The upstreams that answered the next ``count`` logged requests after byte ``offset``."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with front.log.open("rb") as log:
            log.seek(offset)
            lines = log.read().decode().splitlines()[:-1]  # the last may be half written
        if len(lines) >= count:
            return [str(json.loads(ln)["upstream_addr"]).split(",")[-1].strip() for ln in lines]
        await asyncio.sleep(0.05)
    raise AssertionError(f"fewer than {count} requests logged within 10s")


async def test_a_rollback_within_keep_old_switches_all_traffic_back_at_once(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    blue, green = parkwise("1.0.0"), parkwise("2.0.0")
    front = edge([blue])
    loaded = front.config(tmp_path, BLUE_GREEN.format(stable=blue))
    store = open_store(loaded)
    try:
        incident = open_incident(
            store,
            loaded.config.incidents,
            title="Checkout slow",
            severity="SEV2",
            at=SystemClock().now(),
            actor="test",
        )
        async with constant_load(front.url) as load:
            view = start_api(store, loaded, [green], "2")
            promoted = await drive(loaded, store, view.id, within=20)
            assert promoted.state == "promoted" and promoted.finished_at is not None
            assert front.live() == [green]
            at = promoted.finished_at + timedelta(minutes=9)
            back = await switch_back(store, loaded, "api", at)
            after = await answered_by(front, front.log.stat().st_size, 300)
        events = rollout_events(store, view.id)
        timeline = [e.message for e in read(store, incident.id) if e.kind == "rollout"]
        evidence = store.latest("rollout", "api")
        with pytest.raises(UsageError, match="only a promoted one can be switched back"):
            await switch_back(store, loaded, "api", at)
    finally:
        store.close()
    assert back.state == "rolled_back" and back.finished_at == at
    assert back.reason == "switched back to the old pool on request"
    assert front.live() == [blue]
    assert f"server {green} backup;" in front.upstream_file.read_text()
    assert set(after[-100:]) == {blue}  # nginx's old workers finish what they hold first
    assert [e.kind for e in events][-2:] == ["promoted", "rolled_back"]
    assert timeline[-1] == "rollout api 2: rolled_back: switched back to the old pool on request"
    assert evidence is not None and not evidence.ok and evidence.values["state"] == "rolled_back"
    assert load.broken == [] and sum(load.statuses.values()) == load.statuses[200]


async def test_after_keep_old_the_old_pool_leaves_the_balancer_and_a_rollback_is_refused(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    blue, green = parkwise("1.0.0"), parkwise("2.0.0")
    front = edge([blue])
    loaded = front.config(tmp_path, BLUE_GREEN.format(stable=blue))
    store = open_store(loaded)
    try:
        async with constant_load(front.url) as load:
            view = start_api(store, loaded, [green], "2")
            promoted = await drive(loaded, store, view.id, within=20)
            assert promoted.finished_at is not None
            almost = promoted.finished_at + timedelta(minutes=10) - timedelta(seconds=1)
            assert await retire_old(store, loaded, almost) == []
            assert f"server {blue} backup;" in front.upstream_file.read_text()
            over = promoted.finished_at + timedelta(minutes=10)
            retired = await retire_old(store, loaded, over)
            again = await retire_old(store, loaded, over + timedelta(minutes=1))
        retired_events = [e for e in rollout_events(store, view.id) if e.kind == RETIRED]
        with pytest.raises(UsageError, match="keep_old ended at"):
            await switch_back(store, loaded, "api", almost)
    finally:
        store.close()
    assert [v.id for v in retired] == [view.id] and again == []
    assert len(retired_events) == 1
    assert retired_events[0].data["weights"] == {blue: -1, green: 1}
    text = front.upstream_file.read_text()
    assert blue not in text and front.live() == [green]
    assert load.broken == [] and sum(load.statuses.values()) == load.statuses[200]


def test_rollback_says_why_it_cannot_switch_back(
    parkwise: Parkwise, edge: Callable[[list[str]], Edge], tmp_path: Path
) -> None:
    blue = parkwise("1.0.0")
    front = edge([blue])
    loaded = front.config(tmp_path, BLUE_GREEN.format(stable=blue))
    config = str(loaded.path)
    never = runner.invoke(app, ["rollout", "rollback", "api", "-c", config])
    assert never.exit_code == 2
    assert "rollout api has never run: only a promoted one can be switched back" in never.output
    unknown = runner.invoke(app, ["rollout", "rollback", "web", "-c", config])
    assert unknown.exit_code == 2 and "no rollout named 'web' (known: api)" in unknown.output


async def admin_states(front: Haproxy) -> dict[str, str]:
    """HOST:PORT → haproxy's srv_admin_state (0 ready, 1 maint, 8 drain)."""
    driver = HaproxyDriver(HaproxyTraffic(socket=str(front.socket), backend="parkwise"))
    text = await driver.command("show servers state parkwise")
    rows = [line.split() for line in text.splitlines() if line[:1].isdigit()]
    return {f"{row[4]}:{row[18]}": row[6] for row in rows if len(row) > 18}


async def test_through_haproxy_a_rollback_readies_the_old_pool_and_keep_old_ends_in_maint(
    parkwise: Parkwise, haproxy: Callable[[list[str], list[str]], Haproxy], tmp_path: Path
) -> None:
    blue, green = parkwise("1.0.0"), parkwise("2.0.0")
    front = haproxy([blue], [green])
    loaded = front.config(tmp_path, BLUE_GREEN.format(stable=blue))
    store = open_store(loaded)
    try:
        async with constant_load(front.url) as load:
            first = start_api(store, loaded, [green], "2")
            promoted = await drive(loaded, store, first.id, within=20)
            assert promoted.finished_at is not None
            kept = await admin_states(front)
            back = await switch_back(store, loaded, "api", promoted.finished_at)
            switched = await admin_states(front)
            second = start_api(store, loaded, [green], "2")
            again = await drive(loaded, store, second.id, within=20)
            assert again.finished_at is not None
            await retire_old(store, loaded, again.finished_at + timedelta(minutes=10))
            retired = await admin_states(front)
    finally:
        store.close()
    assert kept == {blue: "8", green: "0"}  # blue drained, kept for a switch back
    assert back.state == "rolled_back" and switched == {blue: "0", green: "8"}
    assert retired == {blue: "1", green: "0"}  # blue in maint: off the balancer
    assert load.broken == [] and front.failures_not_from(set()) == []
