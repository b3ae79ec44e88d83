"""The access-log follower against a real nginx writing the reference's ``log_format``:
rename and copytruncate rotation, a restart from the stored position, partial and bad lines.
Every request is counted exactly once."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

from devkit.ports import free_port
from devkit.pytest_plugin import NginxFactory
from golive.clock import ManualClock
from golive.metrics.accesslog import Parser, read_new
from golive.store import Store
from golive.store.requests import load_source, request_window
from tests.devkit.metrics import Harness, config, edge_conf, hit

EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def counted(store: Store, **where: str) -> tuple[int, int]:
    window = request_window(store, "edge", start=EVER[0], end=EVER[1], where=where)
    return window.count, window.errors


def edge(tmp_path: Path, nginx_factory: NginxFactory) -> tuple[str, Path, int]:
    port, upstream = free_port(), free_port()
    log = tmp_path / "logs" / "access.json.log"
    log.parent.mkdir()
    server = nginx_factory(edge_conf(port, upstream, log), ports=[port, upstream])
    return f"http://127.0.0.1:{port}", log, server.pid


def harness(tmp_path: Path, log: Path, store: Store) -> Harness:
    loaded = config(tmp_path, f"metrics:\n  - {{name: edge, access_log: {{path: {log}}}}}\n")
    return Harness(loaded, store, ManualClock(datetime.now(UTC)))


async def test_nginx_lines_are_counted_with_their_labels_and_latencies(
    tmp_path: Path, nginx_factory: NginxFactory, sqlite_store: Store
) -> None:
    base, log, _ = edge(tmp_path, nginx_factory)
    h = harness(tmp_path, log, sqlite_store)
    hit(base, "/ok", 7)
    hit(base, "/fail", 3)
    hit(base, "/api/x", 2)
    await h.tick()
    assert counted(sqlite_store) == (12, 3)
    assert counted(sqlite_store, route="/fail", status="503") == (3, 3)
    upstream = json.loads(log.read_text().splitlines()[-1])["upstream_addr"]
    assert counted(sqlite_store, upstream=upstream) == (2, 0)
    window = request_window(sqlite_store, "edge", start=EVER[0], end=EVER[1])
    assert window.percentile_ms(0.5) is not None and window.percentile_ms(0.5) < 1000
    _, health = load_source(sqlite_store, "edge") or ({}, None)
    assert health is not None and (health.ok, health.lines, health.bad_lines) == (True, 12, 0)


async def test_a_renamed_log_is_finished_before_the_new_one_is_read(
    tmp_path: Path, nginx_factory: NginxFactory, sqlite_store: Store
) -> None:
    base, log, nginx = edge(tmp_path, nginx_factory)
    h = harness(tmp_path, log, sqlite_store)
    hit(base, "/ok", 5)
    await h.tick()
    log.rename(log.with_name(log.name + ".1"))  # logrotate's default: rename ...
    hit(base, "/ok", 4)  # ... nginx still writes to the renamed file ...
    await h.tick()  # (the path is gone for now: read the rest of the old file)
    os.kill(nginx, signal.SIGUSR1)  # ... until told to reopen its logs
    await _until_exists(log, base)
    hit(base, "/fail", 2)
    await h.tick()
    await h.tick()
    assert counted(sqlite_store) == (5 + 4 + 1 + 2, 2)  # +1: the request that made the file


async def test_a_copied_and_truncated_log_loses_and_repeats_nothing(
    tmp_path: Path, nginx_factory: NginxFactory, sqlite_store: Store
) -> None:
    base, log, _ = edge(tmp_path, nginx_factory)
    h = harness(tmp_path, log, sqlite_store)
    hit(base, "/ok", 6)
    await h.tick()
    hit(base, "/ok", 3)  # written, not yet read when the copy is made
    shutil.copyfile(log, log.with_name(log.name + ".1"))  # logrotate copytruncate
    with log.open("r+b") as handle:
        handle.truncate(0)
    hit(base, "/fail", 2)
    await h.tick()
    hit(base, "/ok", 1)
    await h.tick()
    assert counted(sqlite_store) == (6 + 3 + 2 + 1, 2)


async def test_a_restart_continues_from_the_stored_position(
    tmp_path: Path, nginx_factory: NginxFactory, sqlite_store: Store
) -> None:
    base, log, _ = edge(tmp_path, nginx_factory)
    h = harness(tmp_path, log, sqlite_store)
    hit(base, "/ok", 8)
    await h.tick()
    h.restart()  # a new process: nothing in memory
    hit(base, "/ok", 2)
    await h.tick()
    h.restart()
    await h.tick()
    assert counted(sqlite_store) == (10, 0)


def test_a_partial_last_line_waits_for_its_newline(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    line = (
        json.dumps(
            {
                "time": "2026-12-07T15:00:01+00:00",
                "method": "GET",
                "uri": "/",
                "status": 200,
                "request_time": 0.004,
                "upstream_addr": "",
            }
        )
        + "\n"
    )
    log.write_text(line + line[:20])
    parser = Parser("edge")
    batch = read_new(log, None, parser)
    assert (batch.lines, sum(m.count for m in batch.minutes)) == (1, 1)
    with log.open("a") as handle:
        handle.write(line[20:])
    again = read_new(log, batch.position, parser)
    assert (again.lines, sum(m.count for m in again.minutes)) == (1, 1)
    assert again.position is not None and again.position.offset == 2 * len(line)


def test_bad_lines_are_counted_and_skipped(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    good = {
        "time": "2026-12-07T15:00:01+00:00",
        "method": "GET",
        "uri": "/",
        "status": 500,
        "request_time": 0.2,
        "upstream_addr": "127.0.0.1:1",
    }
    lines = [
        json.dumps(good),
        "not json at all",
        json.dumps(good)[:30],  # truncated
        json.dumps({**good, "status": "-"}),
        json.dumps({k: v for k, v in good.items() if k != "request_time"}),
        json.dumps({**good, "time": "yesterday"}),
    ]
    log.write_text("\n".join(lines) + "\n")
    batch = read_new(log, None, Parser("edge"))
    assert (batch.lines, batch.bad_lines) == (6, 5)
    assert [(m.count, m.errors, m.minute.minute) for m in batch.minutes] == [(1, 1, 0)]


def test_other_field_names_can_be_mapped(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text(
        json.dumps(
            {
                "ts": "2026-12-07T15:00:01Z",
                "verb": "POST",
                "uri": "/b",
                "code": "201",
                "rt": "0.010",
                "upstream_addr": "",
            }
        )
        + "\n"
    )
    names = {"time": "ts", "method": "verb", "status": "code", "request_time": "rt"}
    (record,) = read_new(log, None, Parser("edge", names)).minutes
    assert dict(record.labels) == {"method": "POST", "route": "/b", "status": "201", "upstream": ""}


async def test_a_missing_log_is_an_error_in_the_source_health_not_a_crash(
    tmp_path: Path, sqlite_store: Store
) -> None:
    h = harness(tmp_path, tmp_path / "nope.log", sqlite_store)
    await h.tick()
    _, health = load_source(sqlite_store, "edge") or ({}, None)
    assert health is not None and not health.ok
    assert health.last_error == f"{tmp_path / 'nope.log'}: no such file"


async def _until_exists(log: Path, base: str) -> None:
    """nginx reopens its logs asynchronously: poll (with requests) until the new file exists."""
    deadline = datetime.now(UTC) + timedelta(seconds=10)
    while not log.exists():
        assert datetime.now(UTC) < deadline, "nginx did not reopen its log"
        await asyncio.sleep(0.05)
    hit(base, "/ok", 1)
