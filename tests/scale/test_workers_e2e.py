"""Real `golive worker` processes in regions a and b, a real `golive serve`, PostgreSQL as the
store, Redis as the broker: quorum, a killed worker, a stopped region."""

from __future__ import annotations

import json
import time

from typer.testing import CliRunner

from golive.cli import app
from golive.store import Store
from golive.store.alerts import list_alerts
from golive.store.scale import list_workers
from golive.store.state import load_statuses
from tests.devkit.serve import Serve, states, store_of, wait_for
from tests.scale.conftest import Scaled


def start(scaled: Scaled, serve: Serve) -> None:
    """Both regions' workers, and once both beat, golive serve, until the check is UP."""
    for region in ("a", "b"):
        scaled.fleet.start(region, "--heartbeat", "1")
    with store_of(scaled.config) as store:
        wait_for(
            lambda: {w.region for w in list_workers(store)} == {"a", "b"},
            what="both regions' workers beating",
            timeout=60,
        )
        serve(scaled.config, scaled.port)
        wait_for(lambda: states(store).get("site") == "up", what="site UP", timeout=60)
    wait_for(lambda: scaled.target.runs_from("b") > 0, what="a run from region b")


def titles(scaled: Scaled) -> list[str]:
    return [str(r.body.get("title", "")) for r in scaled.hook.requests if isinstance(r.body, dict)]


def wait_for_a_new_verdict(store: Store, what: str) -> None:
    """Wait until check ``site`` has a verdict newer than the one it has now."""
    before = load_statuses(store)["site"].last_run_at
    assert before is not None
    wait_for(lambda: (load_statuses(store)["site"].last_run_at or before) > before, what=what)


def test_quorum_holds_back_one_region_and_pages_once_when_both_fail(
    scaled: Scaled, serve: Serve
) -> None:
    start(scaled, serve)
    scaled.target.failing = {"b"}
    since = time.monotonic()
    wait_for(lambda: scaled.target.runs_from("b", since, 503) >= 5, what="5 failures in b")
    with store_of(scaled.config) as store:
        assert states(store)["site"] == "up"
        assert scaled.hook.requests == []  # one region's failure pages no one

        scaled.target.failing = {"*"}
        wait_for(lambda: states(store)["site"] == "down", what="site DOWN")
        wait_for(lambda: len(scaled.hook.requests) >= 1, what="a page")
        error = load_statuses(store)["site"].last_error or ""
        assert error.startswith("down in 2 of 2 regions (quorum 2): ")
        assert "a: " in error and "b: " in error
        time.sleep(3)  # more failing runs: still one page
        assert len(scaled.hook.requests) == 1, titles(scaled)

        scaled.target.failing = set()
        wait_for(lambda: states(store)["site"] == "up", what="site UP again")


def test_a_killed_worker_leaves_no_check_stuck(scaled: Scaled, serve: Serve) -> None:
    start(scaled, serve)
    scaled.target.slow = {"a": 0.6}  # a's runs are in flight most of the time
    time.sleep(1.5)
    scaled.fleet.kill("a")  # SIGKILL, mid-run
    killed = time.monotonic()
    scaled.fleet.start("a", "--heartbeat", "1")
    wait_for(lambda: scaled.target.runs_from("a", killed) >= 3, what="runs from a new worker a")
    with store_of(scaled.config) as store:
        wait_for_a_new_verdict(store, "a verdict after the kill")
        assert states(store)["site"] == "up"
    assert scaled.hook.requests == []


def test_a_stopped_region_raises_its_alert_and_checks_go_on_from_the_other(
    scaled: Scaled, serve: Serve
) -> None:
    start(scaled, serve)
    assert scaled.fleet.stop("b") == [0]  # SIGTERM: a clean stop
    with store_of(scaled.config) as store:
        assert {w.region for w in list_workers(store)} == {"a", "b"}
        wait_for(
            lambda: any(a.name == "region:b" for a in list_alerts(store, state="firing")),
            what="region:b firing",
            timeout=60,
        )
        wait_for(lambda: any("region:b" in t for t in titles(scaled)), what="region:b paged")
        wait_for_a_new_verdict(store, "a verdict from region a alone")
        assert states(store)["site"] == "up"
    shown = CliRunner().invoke(app, ["status", "-c", str(scaled.config), "--json"], env={})
    regions = {r["region"]: r for r in json.loads(shown.output)["regions"]}
    assert regions["a"]["alive"] == 1 and regions["b"]["alive"] == 0
    assert [w["alive"] for w in regions["b"]["workers"]] == [False]
