"""The command driver hands a user script the weights on stdin; `before` commands run first
with their output in the deployment record; a failing one aborts before traffic moves; the end
of a rollout is stored as evidence; steps and judgements reach the open incident's timeline."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from golive.clock import SystemClock
from golive.config import load_config
from golive.engine.once import open_store
from golive.gate.registry import argument_models
from golive.incidents.lifecycle import open_incident
from golive.incidents.timeline import read
from golive.rollout.run import start
from golive.serve import rollouts
from golive.serve.runtime import ServeRuntime
from golive.store.rollouts import rollout_by_id, rollout_events
from tests.rollout.conftest import Parkwise, drive

CONFIG = """version: 1
project: shop
store: sqlite:///golive.db
incidents:
  severities:
    SEV1: {{from: critical, respond_within: 5m}}
rollouts:
  - name: api
    traffic: {{command: {{set: "{python} {folder}/set_weights.py"}}}}
    stable: [{stable}]
    steps: [50, 100]
    pause: 0s
    analysis: {{min_requests: 0}}
    before: ["{python} {folder}/migrate.py", {more}]
"""


def write_config(folder: Path, stable: str, more: str) -> Path:
    """A config whose driver script appends each weights JSON to ``weights.jsonl``."""
    (folder / "set_weights.py").write_text(
        "import sys\n"
        f"with open({str(folder / 'weights.jsonl')!r}, 'a') as f:\n"
        "    f.write(sys.stdin.read() + chr(10))\n"
    )
    (folder / "migrate.py").write_text("print('migrated 3 tables')\n")
    path = folder / "golive.yaml"
    path.write_text(CONFIG.format(python=sys.executable, folder=folder, stable=stable, more=more))
    return path


async def test_before_runs_then_the_command_driver_gets_each_steps_weights(
    parkwise: Parkwise, tmp_path: Path
) -> None:
    v1, v2 = parkwise("1.0.0"), parkwise("2.0.0")
    weights = tmp_path / "weights.jsonl"
    path = write_config(tmp_path, v1, '"true"')
    loaded = load_config(path, environ={}, gate_args=argument_models())
    store = open_store(loaded)
    try:
        incident = open_incident(
            store,
            loaded.config.incidents,
            title="Checkout slow",
            severity="SEV1",
            at=SystemClock().now(),
            actor="test",
        )
        view = start(
            store,
            loaded,
            "api",
            targets=[v2],
            version="2",
            commit="abc123",
            now=SystemClock().now(),
        )
        done = await drive(loaded, store, view.id, within=15)
        events = rollout_events(store, view.id)
        evidence = store.latest("rollout", "api")
        timeline = [e.message for e in read(store, incident.id) if e.kind == "rollout"]
    finally:
        store.close()
    assert done.state == "promoted", done
    assert timeline == [
        "rollout api 2: step: step 1: 50% on canary",
        "rollout api 2: judgement: step 1 passed",
        "rollout api 2: step: step 2: 100% on canary",
        "rollout api 2: judgement: step 2 passed",
        "rollout api 2: promoted: every step passed",
    ]
    before = [e for e in events if e.kind == "before"]
    assert before[0].data["output"] == "migrated 3 tables\n"
    sent = [json.loads(line) for line in weights.read_text().splitlines()]
    assert sent == [{v1: 1, v2: 1}, {v1: 0, v2: 1}, {v1: 0, v2: 1}]  # steps, then the promotion
    assert evidence is not None and evidence.ok and evidence.values["commit"] == "abc123"


async def test_a_failing_before_command_aborts_before_traffic_moves(
    parkwise: Parkwise, tmp_path: Path
) -> None:
    v1 = parkwise("1.0.0")
    weights = tmp_path / "weights.jsonl"
    path = write_config(tmp_path, v1, '"false"')
    loaded = load_config(path, environ={}, gate_args=argument_models())
    store = open_store(loaded)
    try:
        view = start(
            store, loaded, "api", targets=[v1], version="2", commit=None, now=SystemClock().now()
        )
        done = await drive(loaded, store, view.id, within=15)
        evidence = store.latest("rollout", "api")
    finally:
        store.close()
    assert done.state == "aborted" and done.reason == "before: `false` failed"
    assert json.loads(weights.read_text()) == {v1: 1}  # back on stable, never moved
    assert evidence is not None and not evidence.ok


async def test_golive_serve_advances_a_started_rollout_to_its_end(
    parkwise: Parkwise, tmp_path: Path
) -> None:
    v1, v2 = parkwise("1.0.0"), parkwise("2.0.0")
    path = write_config(tmp_path, v1, '"true"')
    loaded = load_config(path, environ={}, gate_args=argument_models())
    store = open_store(loaded)
    clock = SystemClock()
    serve = ServeRuntime(loaded, store=store, clock=clock, environ={}, services=(rollouts.make,))
    assert [s.name for s in serve.services] == ["rollouts"]
    view = start(store, loaded, "api", targets=[v2], version="2", commit=None, now=clock.now())
    running = asyncio.create_task(serve.run())
    try:
        deadline = time.monotonic() + 20
        while (done := rollout_by_id(store, view.id)) and done.active:
            assert time.monotonic() < deadline, done
            await asyncio.sleep(0.1)
    finally:
        serve.stop()
        await asyncio.wait_for(running, 10)
        store.close()
    assert done is not None and done.state == "promoted"
