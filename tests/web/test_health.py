"""``/healthz`` of a real `golive serve` runtime says when its writes to the store fail, from
the runtime's record of its last writes (no write of its own per request)."""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine

from golive.clock import ManualClock
from golive.config import load_config
from golive.engine.results import CheckResult
from golive.serve.runtime import ServeRuntime
from golive.store import Store, normalise_url
from golive.store.state import load_statuses
from golive.web import create_app
from tests.devkit.web import TestClient

CONFIG = """\
version: 1
project: shop
checks:
  - {name: web, tcp: {host: 127.0.0.1, port: 1}}
"""


def result(clock: ManualClock) -> CheckResult:
    return CheckResult("web", None, "tcp", "127.0.0.1:1", True, 1.0, None, (), {}, clock.now())


async def test_healthz_says_the_store_is_failing_while_its_writes_fail(tmp_path: Path) -> None:
    (tmp_path / "golive.yaml").write_text(textwrap.dedent(CONFIG))
    loaded = load_config(tmp_path / "golive.yaml", environ={})
    writable = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    # The same database, opened read-only: SQLite itself refuses every write (as a full disk
    # or a read-only mount would), while reads, and so a ping, still work.
    read_only = Store(create_engine(f"sqlite:///file:{tmp_path / 'golive.db'}?mode=ro&uri=true"))
    clock = ManualClock()
    serve = ServeRuntime(loaded, store=read_only, clock=clock, environ={})
    try:
        with TestClient(create_app(serve), raise_server_exceptions=False) as client:
            assert client.get("/healthz").json() == {"status": "ok"}  # nothing written yet

            serve.engine.submit(result(clock))
            await serve.cycle()
            failing = client.get("/healthz")
            assert failing.status_code == 503
            body = failing.json()
            assert body["status"] == "failing"
            # Public: the time, not the error text (paths, SQL and driver messages stay in
            # golive's log, which says why).
            assert body["reason"].startswith("writes to the store fail since ")
            assert "readonly" not in body["reason"].lower(), body

            clock.advance(timedelta(seconds=1))
            await serve.cycle()  # still failing: the results wait in memory
            assert client.get("/healthz").status_code == 503

            serve.store = writable  # the disk has room again
            clock.advance(timedelta(seconds=1))
            await serve.cycle()
            assert load_statuses(writable)["web"].state == "up"
            assert client.get("/healthz").json() == {"status": "ok"}
    finally:
        read_only.close()
        writable.close()
