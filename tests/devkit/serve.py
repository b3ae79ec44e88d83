"""A real ``golive serve`` for end-to-end tests: started on a config, read through its store
(not by running ``golive status``, which pays the whole import each poll), always stopped."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from devkit.ports import wait_for_port
from devkit.process import terminate
from golive.config import load_config
from golive.engine import open_store
from golive.store import Store
from golive.store.state import load_statuses

GOLIVE = [sys.executable, "-m", "golive"]
POLL_SECONDS = 0.05


def wait_for(condition: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds (generous: the
    machine may be busy with other test workers)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what or 'condition'} not met within {timeout:.0f}s")
        time.sleep(POLL_SECONDS)


class Serve:
    """``serve(config, port, *args)`` starts ``golive serve -c config *args`` (log: ``serve.log``
    beside it, or ``log``)
    and waits until it listens on ``port``; ``stop_all()`` stops every one still running (SIGTERM,
    then SIGKILL after a grace period) and returns their exit codes."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []

    def __call__(
        self, config: Path, port: int, *args: str, log: Path | None = None
    ) -> subprocess.Popen[bytes]:
        log = log or config.parent / "serve.log"
        with log.open("ab") as out:  # the child keeps its own copy
            process = subprocess.Popen(
                [*GOLIVE, "serve", "-c", str(config), *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        self.processes.append(process)
        # It listens before it opens (and migrates) the store, and answers HTTP only after.
        wait_for_port(port, timeout=30, proc=process, log=log)
        wait_for(lambda: answers(f"http://127.0.0.1:{port}/healthz"), what="an answer on /healthz")
        return process

    def stop_all(self) -> list[int]:
        for process in self.processes:
            terminate(process)
        return [process.returncode for process in self.processes]


def answers(url: str) -> bool:
    """Whether an HTTP server answers ``url`` at all (any status)."""
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


@contextmanager
def store_of(config: Path) -> Iterator[Store]:
    """The store ``golive serve`` writes for ``config``, open for reading."""
    store = open_store(load_config(config, environ={}))
    try:
        yield store
    finally:
        store.close()


def states(store: Store) -> dict[str, str]:
    """Each stored check's state, as ``golive status`` would show it."""
    return {name: status.state for name, status in load_statuses(store).items()}
