"""A reload that reads a hostile file is refused quickly and off the event loop: the running
server keeps its config and never stalls."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from golive.clock import ManualClock
from golive.config import load_config
from golive.serve.runtime import ServeRuntime
from golive.store import Store, normalise_url

CONFIG = """\
version: 1
project: shop
checks:
  - {name: web, tcp: {host: 127.0.0.1, port: 1}}
"""
BOMB = "version: 1\nproject: bomb\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(6)
)


async def test_an_alias_bomb_reload_is_refused_and_the_loop_keeps_ticking(tmp_path: Path) -> None:
    path = tmp_path / "golive.yaml"
    path.write_text(CONFIG)
    store = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    serve = ServeRuntime(
        load_config(path, environ={}), store=store, clock=ManualClock(), environ={}
    )
    before = serve.loaded
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    try:
        for hostile in (BOMB, "checks: " + "[" * 100_000 + "]" * 100_000 + "\n"):
            path.write_text(hostile)
            outcome = await serve.reload()
            assert not outcome.ok
            assert "reload refused, still running the previous config" in outcome.message
            assert serve.loaded is before
        await asyncio.sleep(0.05)
    finally:
        ticking.cancel()
        store.close()
    assert gaps and max(gaps) < 1.0  # the bomb took the server away for about 60 s before
