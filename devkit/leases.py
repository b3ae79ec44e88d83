"""Processes that contend for a golive lease, for the leader tests and ``bench/leases.py``.

Run as ``python devkit/leases.py MODE URL HOLDER …``; each prints one JSON object a line:

* ``race URL HOLDER ROUNDS START`` — at wall time START + I × ROUND_S, tries ``race-I`` (free) and ``lapsed-I``
  (lapsed, set up by the parent) for each round; prints ``{"won": [names]}``;
* ``lead URL HOLDER TTL`` — a ``Leadership`` on the system clock: ``standby`` after a first try
  that fails, ``leader`` (epoch, wall time) at each term, then one fenced write per term
  (``wrote``);
* ``freeze URL HOLDER TTL`` — renews and writes through a fenced store a few times, then prints
  ``inside`` from within a fenced transaction and sleeps there (the parent SIGSTOPs it); after
  it goes on, prints how the commit and one more write ended (``ok``, ``fenced``, ``error``).

``Contender`` starts one and reads its lines with a timeout.
"""

from __future__ import annotations

import asyncio
import json
import queue
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve()
ROUND_S = 0.025  # each race round starts this long after the one before


class Contender:
    """One child process of this script; ``next_line`` waits for its next JSON line."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(SCRIPT), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def next_line(self, timeout: float) -> dict[str, Any]:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no line from {self.proc.args!r} in {timeout} s") from None
        if line is None:
            stderr = self.proc.stderr.read() if self.proc.stderr else ""
            raise RuntimeError(f"{self.proc.args!r} ended: {stderr[-2000:]}")
        found: dict[str, Any] = json.loads(line)
        return found

    def wait_for(self, event: str, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(max(0.0, deadline - time.monotonic()))
            if line.get("event") == event:
                return line

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def _say(**fields: Any) -> None:
    print(json.dumps({**fields, "at": time.time()}), flush=True)


def _race(url: str, holder: str, rounds: int, start: float) -> None:
    from golive.store import Store
    from golive.store.leases import hold

    store = Store.open(url)
    ttl = timedelta(minutes=10)
    won = []
    for i in range(rounds):
        time.sleep(max(0.0, start + i * ROUND_S - time.time()))  # both start each round together
        for name in (f"race-{i}", f"lapsed-{i}"):
            if hold(store, name, holder, ttl=ttl, now=datetime.now(UTC)) is not None:
                won.append(name)
    _say(won=won)
    store.close()


async def _lead(url: str, holder: str, ttl: float) -> None:
    from golive.records import RunSummary
    from golive.scale import Leadership, fenced
    from golive.store import Store
    from golive.store.leases import Held

    store = Store.open(url)
    leadership = Leadership(store, "scheduler", holder, ttl=timedelta(seconds=ttl))

    async def work(held: Held) -> None:
        _say(event="leader", epoch=held.epoch)
        leader = fenced(store, held, ttl=timedelta(seconds=ttl))
        try:
            now = datetime.now(UTC)
            await asyncio.to_thread(leader.record_run, RunSummary("lease", holder, now, now), [])
            _say(event="wrote", epoch=held.epoch)
            await asyncio.Event().wait()
        finally:
            leader.close()

    await leadership.attempt()  # a first try, so "standby" is said before run() goes on
    if not leadership.is_leader:
        _say(event="standby", reason=leadership.last_error)
    running = asyncio.create_task(leadership.run())
    try:
        await leadership.while_leader(work)
    finally:
        running.cancel()


def _freeze(url: str, holder: str, ttl: float) -> None:
    from golive.exceptions import FencedOut, StoreError
    from golive.records import RunSummary
    from golive.scale import fenced
    from golive.store import Store
    from golive.store.leases import hold
    from golive.store.tables import Run

    store = Store.open(url)
    lease_ttl = timedelta(seconds=ttl)
    held = hold(store, "scheduler", holder, ttl=lease_ttl, now=datetime.now(UTC))
    if held is None:
        _say(event="refused")
        return
    leader = fenced(store, held, ttl=lease_ttl)

    def run(command: str) -> RunSummary:
        now = datetime.now(UTC)
        return RunSummary(command, holder, now, now)

    for _ in range(5):
        hold(store, "scheduler", holder, ttl=lease_ttl, now=datetime.now(UTC))
        leader.record_run(run("before"), [])
        time.sleep(0.05)
    outcomes: dict[str, str] = {}
    for step in ("frozen", "after"):
        try:
            with leader.writing("write as the leader") as connection:
                row = run(step).__dict__ | {"total": 0, "failed": 0}
                connection.execute(Run.__table__.insert(), row)
                if step == "frozen":
                    _say(event="inside", epoch=held.epoch)
                    time.sleep(0.5)  # SIGSTOP lands here, with the transaction open
            outcomes[step] = "ok"
        except FencedOut as exc:
            outcomes[step] = f"fenced: {exc}"
        except StoreError as exc:
            outcomes[step] = f"error: {exc}"
    _say(event="done", **outcomes)
    leader.close()
    store.close()


def main(argv: list[str]) -> None:
    mode, url, holder, *rest = argv
    if mode == "race":
        _race(url, holder, int(rest[0]), float(rest[1]))
    elif mode == "lead":
        asyncio.run(_lead(url, holder, float(rest[0])))
    elif mode == "freeze":
        _freeze(url, holder, float(rest[0]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
