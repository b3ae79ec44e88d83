"""Running checks: verdicts, failures with values, errors, timeouts and secrets."""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import time
from pathlib import Path

from golive.clock import ManualClock
from golive.config import LoadedConfig
from golive.engine import check_once, run_checks
from golive.store import Store
from tests.devkit.engine import config


async def run_all(loaded: LoadedConfig) -> dict[str, object]:
    results = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    return {r.name: r for r in results}


async def test_a_passing_check_has_no_failures(tmp_path: Path, site: str) -> None:
    loaded = config(
        tmp_path,
        f"""
    - name: web
      component: API
      http: {{url: "{site}/health"}}
      expect: ["status == 200", 'json.status == "healthy"', "latency_ms < 5000"]
    """,
    )
    (result,) = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    assert result.ok
    assert result.failed == ()
    assert result.error is None
    assert result.component == "API"
    assert result.fields["status"] == 200
    assert result.fields["ok_connect"] is True


async def test_a_failed_expectation_reports_the_actual_values(tmp_path: Path, site: str) -> None:
    loaded = config(
        tmp_path,
        f"""
    - name: web
      http: {{url: "{site}/down"}}
      expect: ["status == 200", 'json.status == "healthy"', "latency_ms < 5000"]
    """,
    )
    (result,) = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    assert not result.ok
    assert [f.as_dict() for f in result.failed] == [
        {"expect": "status == 200", "values": {"status": 503}},
        {"expect": 'json.status == "healthy"', "values": {"json.status": "degraded"}},
    ]


async def test_an_unreachable_target_fails_with_the_error_not_a_crash(tmp_path: Path) -> None:
    loaded = config(
        tmp_path,
        """
    - name: web
      http: {url: "http://127.0.0.1:1/health"}
    - name: shell
      command: {run: "true"}
    """,
    )
    results = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    assert [r.ok for r in results] == [False, True]
    assert results[0].error == "cannot connect to 127.0.0.1:1: connection refused"
    assert results[0].fields["ok_connect"] is False
    assert results[0].fields["status"] is None


async def test_expectations_about_the_error_decide_the_verdict(tmp_path: Path) -> None:
    loaded = config(
        tmp_path,
        """
    - name: port-closed
      tcp: {host: 127.0.0.1, port: 1}
      expect: ["!ok_connect"]
    """,
    )
    (result,) = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    assert result.ok


async def test_a_hanging_check_times_out_without_delaying_the_others(tmp_path: Path) -> None:
    loaded = config(
        tmp_path,
        """
    - name: hangs
      command: {run: "sleep 30"}
      timeout: 300ms
    - name: quick
      command: {run: "echo fine"}
    """,
    )
    results = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    assert results[0].error == "timed out after 300ms"
    assert results[1].ok
    assert results[1].latency_ms is not None and results[1].latency_ms < 300


async def test_a_command_whose_detached_child_keeps_stdout_open_times_out_on_time(
    tmp_path: Path,
) -> None:
    pid_file = tmp_path / "detached.pid"
    loaded = config(
        tmp_path,
        f"""
    - name: daemonizes
      command: {{run: "(setsid sh -c 'echo $$ > {pid_file}; exec sleep 25' &); sleep 10"}}
      timeout: 500ms
    """,
    )
    started = time.monotonic()
    try:
        (result,) = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    finally:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)
    assert time.monotonic() - started < 3
    assert result.error == "timed out after 500ms"
    assert not result.ok


async def test_a_body_that_is_not_json_fails_json_expectations_clearly(
    tmp_path: Path, site: str
) -> None:
    loaded = config(
        tmp_path,
        f"""
    - name: text
      http: {{url: "{site}/text"}}
      expect: ['json.status == "ok"']
    """,
    )
    (result,) = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    assert not result.ok
    (failure,) = result.failed
    assert failure.values == {"json.status": None}
    assert failure.error is not None and failure.error.startswith("cannot evaluate")


async def test_secrets_never_reach_the_result(tmp_path: Path) -> None:
    loaded = config(
        tmp_path,
        """
        - name: leaky
          command: {run: "echo token=$TOKEN url=postgresql://app:pw-1234@db/x", env: {TOKEN: "${env:API_TOKEN}"}}
        """,
        environ={"API_TOKEN": "tok-0123456789"},
    )
    (result,) = await run_checks(loaded, loaded.config.checks, clock=ManualClock())
    text = repr(result.as_dict())
    assert "tok-0123456789" not in text
    assert "pw-1234" not in text
    assert result.fields["stdout"] == "token=*** url=postgresql://app:***@db/x"


async def test_the_time_of_a_result_comes_from_the_clock(tmp_path: Path) -> None:
    clock = ManualClock()
    loaded = config(
        tmp_path,
        """
    - name: shell
      command: {run: "true"}
      every: 1m
    """,
    )
    (result,) = await run_checks(loaded, loaded.config.checks, clock=clock)
    assert result.taken_at == clock.now()
    assert result.evidence().expires_at == clock.now() + 2 * loaded.config.checks[0].every


async def test_check_once_leaves_the_garbage_collector_to_the_entry_point(
    tmp_path: Path,
) -> None:
    loaded = config(tmp_path, '- {name: shell, command: {run: "true"}}\n')
    store = Store.open(f"sqlite:///{tmp_path / 'golive.db'}")
    gc.unfreeze()
    try:
        await check_once(loaded, loaded.config.checks, clock=ManualClock(), store=store)
        assert gc.get_freeze_count() == 0
    finally:
        store.close()
