"""A notification at each step: a real canary rolled back through a real nginx tells a real
webhook receiver of each of its events, in order, once each, through the outbox; which
channels hear of a rollout (its ``notify:`` list, or the first route its fields match)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from devkit.receivers import WebhookReceiver
from golive.cli import app
from golive.clock import SystemClock
from golive.config import ConfigBase, load_config
from golive.engine.once import open_store
from golive.gate.registry import argument_models
from golive.notify import deliver_due
from golive.records.rollouts import Notice, RolloutEvent
from golive.rollout.notices import channels
from golive.rollout.run import request, start, tick
from golive.store.outbox import list_notifications
from golive.store.rollouts import add_event, rollout_by_id, start_rollout
from tests.rollout.conftest import CANARY, Edge, Parkwise, roll_out


def notify_section(hook: WebhookReceiver, routes: str) -> str:
    return (
        "notify:\n  channels:\n"
        f"    - {{name: deploys, url: '{hook.url('/deploys')}'}}\n"
        f"    - {{name: pager, url: '{hook.url('/pager')}'}}\n"
        f"  routes:\n{routes}"
    )


async def test_a_rolled_back_canary_tells_each_step_and_the_rollback_in_order_once_each(
    parkwise: Parkwise,
    edge: Callable[[list[str]], Edge],
    webhook: WebhookReceiver,
    tmp_path: Path,
) -> None:
    v1, v2 = parkwise("1.0.0"), parkwise("2.0.0", error_rate="0.2")
    front = edge([v1])
    routes = "    - {match: {severity: critical}, to: [pager]}\n    - {match: {rollout: api}, to: [deploys]}\n"
    body = notify_section(webhook, routes) + CANARY.format(stable=v1, pause="30s")
    loaded = front.config(tmp_path, body)
    done, events, _load = await roll_out(front.url, loaded, [v2], "2.0.0", within=20)
    assert done.state == "rolled_back", done

    store = open_store(loaded)
    try:
        stats = await deliver_due(store, loaded.config, loaded.secrets, SystemClock().now())
        again = await deliver_due(store, loaded.config, loaded.secrets, SystemClock().now())
    finally:
        store.close()
    assert stats.failed == 0 and stats.retried == 0
    assert again.claimed == 0  # each event's row goes out once

    assert {r.path for r in webhook.requests} == {"/deploys"}  # the route matching `rollout`
    titles = [r.body["title"] for r in webhook.requests]
    assert titles == [
        "rollout api 2.0.0: started",
        "rollout api 2.0.0: smoke passed",
        "rollout api 2.0.0: step 1 of 3, 10% on the new pool",
        "rollout api 2.0.0: judgement failed, rolling back",
        "rollout api 2.0.0: rolled back",
    ]
    messages = [r.body["message"] for r in webhook.requests]
    assert "step: none yet (3 planned), all traffic on stable" in messages[0]
    assert "step: 1 of 3, 10% on the new pool" in messages[4]  # rolled back from there
    assert f"new pool: {v2}; stable: {v1}" in messages[2]
    assert f"weights: {v1} 9, {v2} 1" in messages[2]
    judgement = next(e for e in events if e.kind == "judgement")
    assert messages[3].startswith(judgement.message)  # "error rate 20.00% > 1.00% (n errors)"
    assert f"requests {judgement.data['requests']:g}" in messages[3]
    assert "error_rate " in messages[3]
    assert [r.body["type"] for r in webhook.requests] == [
        "info",
        "info",
        "info",
        "failure",
        "failure",
    ]


COMMAND_ROLLOUT = """version: 1
project: shop
store: sqlite:///{folder}/golive.db
notify:
  channels: [{{name: deploys, url: '{url}'}}]
rollouts:
  - name: api
    traffic: {{command: {{set: 'true'}}}}
    stable: ['127.0.0.1:9']
    steps: [50, 100]
    pause: {pause}
    analysis: {{min_requests: 0}}
    notify: [deploys]
"""


@pytest.fixture
def listening() -> Iterator[str]:
    """A HOST:PORT that accepts connections (all the smoke step asks of a new backend)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"127.0.0.1:{server.getsockname()[1]}"


def test_rollout_start_wait_delivers_each_step_and_the_promotion_itself(
    webhook: WebhookReceiver, listening: str, tmp_path: Path
) -> None:
    path = tmp_path / "golive.yaml"
    path.write_text(COMMAND_ROLLOUT.format(folder=tmp_path, url=webhook.url(), pause="0s"))
    args = ["rollout", "start", "api", "--to", listening, "--version", "2", "--wait"]
    result = CliRunner().invoke(app, [*args, "-c", str(path)])
    assert result.exit_code == 0, result.output
    assert [r.body["title"] for r in webhook.requests] == [
        "rollout api 2: started",
        "rollout api 2: smoke passed",
        "rollout api 2: step 1 of 2, 50% on the new pool",
        "rollout api 2: step 2 of 2, 100% on the new pool",
        "rollout api 2: promoted",
    ]
    assert webhook.requests[-1].body["type"] == "success"


async def test_a_pause_and_a_resume_on_request_are_told_when_asked(
    listening: str, tmp_path: Path
) -> None:
    path = tmp_path / "golive.yaml"
    path.write_text(COMMAND_ROLLOUT.format(folder=tmp_path, url="json://127.0.0.1:9/", pause="1h"))
    loaded = load_config(path, environ={}, gate_args=argument_models())
    store = open_store(loaded)
    try:
        clock = SystemClock()
        view = start(
            store, loaded, "api", targets=[listening], version="2", commit=None, now=clock.now()
        )
        resumed: set[int] = {view.id}
        while view.state != "step":
            await tick(store, loaded, clock.now(), resumed)
            view = rollout_by_id(store, view.id) or view
        request(store, "api", "pause", clock.now(), loaded=loaded)
        request(store, "api", "pause", clock.now(), loaded=loaded)  # already paused: no event
        request(store, "api", "resume", clock.now(), loaded=loaded)
        rows = list_notifications(store)[::-1]
    finally:
        store.close()
    assert [row.title for row in rows] == [
        "rollout api 2: started",
        "rollout api 2: smoke passed",
        "rollout api 2: step 1 of 2, 50% on the new pool",
        "rollout api 2: paused",
        "rollout api 2: resumed",
    ]
    assert rows[3].body.startswith("paused on request at step 1 (50% on the new pool)")
    assert {row.channel for row in rows} == {"deploys"} and {row.kind for row in rows} == {
        "rollout"
    }


async def test_one_rollouts_messages_to_a_channel_go_out_one_after_the_other(
    webhook: WebhookReceiver, tmp_path: Path
) -> None:
    path = tmp_path / "golive.yaml"
    path.write_text(COMMAND_ROLLOUT.format(folder=tmp_path, url=webhook.url(), pause="1h"))
    loaded = load_config(path, environ={}, gate_args=argument_models())
    store = open_store(loaded)
    now = SystemClock().now()
    try:
        pools = {"targets": ["127.0.0.1:8002"], "stable": ["127.0.0.1:8001"]}
        api = start_rollout(
            store, name="api", strategy="canary", version="2", commit=None, now=now, **pools
        )
        web = start_rollout(
            store, name="web", strategy="canary", version="7", commit=None, now=now, **pools
        )
        for view, title in ((api, "api 1"), (api, "api 2"), (web, "web 1")):
            group = f"rollout:{view.name}#{view.id}"
            told = Notice(("deploys",), title, "", "info", group)
            add_event(store, RolloutEvent(view.id, now, "step", title), told)
        webhook.answer("hang")  # the first message sent hangs until its send times out
        sending = asyncio.create_task(
            deliver_due(
                store, loaded.config, loaded.secrets, now, send_timeout=timedelta(seconds=4)
            )
        )
        for _ in range(35):  # until two have arrived (or 3.5 s), then a moment for a third
            if len(webhook.requests) >= 2:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.3)
        while_hanging = {r.body["title"] for r in webhook.requests}
        stats = await sending
    finally:
        store.close()
    assert while_hanging == {"api 1", "web 1"}  # another rollout is not held up by it
    assert [r.body["title"] for r in webhook.requests][-1] == "api 2"  # after api 1's try
    assert (stats.delivered, stats.retried) == (2, 1)


def rollout_config(tmp_path: Path, notify: str, routes: str) -> ConfigBase:
    path = tmp_path / "golive.yaml"
    path.write_text(
        "version: 1\nproject: shop\nstore: sqlite:///golive.db\n"
        "notify:\n  channels:\n"
        "    - {name: deploys, url: 'json://127.0.0.1:9/d'}\n"
        "    - {name: mail, url: 'json://127.0.0.1:9/m'}\n"
        f"  routes:\n{routes}"
        "rollouts:\n  - name: api\n"
        "    traffic: {command: {set: 'true'}}\n"
        f"    stable: ['127.0.0.1:8001']\n{notify}"
    )
    return load_config(path, environ={}, gate_args=argument_models()).config


def test_a_rollouts_own_notify_list_wins_over_the_routes(tmp_path: Path) -> None:
    config = rollout_config(tmp_path, "    notify: [mail]\n", "    - {match: {}, to: [deploys]}\n")
    assert channels(config, config.rollouts[0], "step") == ("mail",)


def test_an_empty_notify_list_tells_nobody(tmp_path: Path) -> None:
    config = rollout_config(tmp_path, "    notify: []\n", "    - {match: {}, to: [deploys]}\n")
    assert channels(config, config.rollouts[0], "step") == ()


def test_routes_match_the_event_and_digest_routes_are_passed_over(tmp_path: Path) -> None:
    routes = (
        "    - {match: {rollout: api}, to: [mail], digest: daily}\n"
        "    - {match: {rollout: api, event: [rolled_back, aborted]}, to: [mail]}\n"
        "    - {match: {strategy: canary}, to: [deploys]}\n"
    )
    config = rollout_config(tmp_path, "", routes)
    rollout = config.rollouts[0]
    assert channels(config, rollout, "rolled_back") == ("mail",)
    assert channels(config, rollout, "step") == ("deploys",)


def test_a_rollout_no_route_matches_tells_nobody(tmp_path: Path) -> None:
    config = rollout_config(tmp_path, "", "    - {match: {severity: high}, to: [deploys]}\n")
    assert channels(config, config.rollouts[0], "step") == ()


def test_an_unknown_channel_in_a_rollouts_notify_is_refused_at_load(tmp_path: Path) -> None:
    from golive.exceptions import ConfigError

    with pytest.raises(ConfigError, match="unknown channel 'deploy'; did you mean 'deploys'"):
        rollout_config(tmp_path, "    notify: [deploy]\n", "    - {match: {}, to: [mail]}\n")
