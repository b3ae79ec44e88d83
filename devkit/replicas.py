"""Real `golive serve` replicas on one PostgreSQL store, for the failover tests, bench and demo:
each started in a folder of its own with a short lease ttl, found by the lease it holds, killed
or frozen by signal by the caller, always stopped (``stop_all``)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from devkit.ports import free_port
from devkit.process import terminate
from devkit.receivers import WebhookReceiver
from golive.records import CheckStatus
from golive.store import Store
from golive.store.leases import Held, current
from golive.store.outbox import counts_by_status
from golive.store.state import load_statuses

GOLIVE = [sys.executable, "-m", "golive"]
TTL = 2.0  # seconds: the replicas' lease ttl; a dead leader is replaced within TTL * 4/3
HANDOVER_BOUND = TTL * 4 / 3 + 1.5  # and a busy test machine's scheduling slack

# The replicas' config: one check, ``flaky``, failing while the file ``down`` exists, and its
# alerts routed to a webhook.
CONFIG = """\
version: 1
project: shop
store: "{store}"
server: {{listen: "127.0.0.1:{port}"}}
checks:
  - name: flaky
    command: {{run: "test ! -e {down}"}}
    every: 1s
    timeout: 1s
    fail_after: 1
    severity: critical
notify:
  channels: [{{name: hook, url: "{hook}"}}]
  routes: [{{match: {{severity: critical}}, to: [hook]}}]
  group_wait: 0s
"""


@dataclass
class Replica:
    """One `golive serve --role all` process and where its config and log are."""

    name: str
    config: Path
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def holder(self) -> str:
        return f"{socket.gethostname()}:{self.pid}"

    @property
    def log(self) -> str:
        return (self.config.parent / "serve.log").read_text(errors="replace")

    def competing(self) -> bool:
        """Whether it is up and competing for its leases (an exit is raised, with its log)."""
        if self.process.poll() is not None:
            raise AssertionError(f"replica {self.name} exited:\n{self.log}")
        return "competing for" in self.log


class Replicas:
    """Replicas of one config (``down`` is the file that makes check ``flaky`` fail) over
    ``store``; ``start(name)`` starts one in a folder of its own."""

    def __init__(
        self,
        root: Path,
        store_url: str,
        hook: WebhookReceiver,
        *,
        config: str = CONFIG,
        ttl: float = TTL,
    ) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.url = store_url
        self.hook = hook
        self.config = config
        self.ttl = ttl
        self.down = root / "down"
        self.started: list[Replica] = []
        self.store = Store.open(store_url)  # migrated here, once, before any replica starts

    def start(self, *names: str, args: tuple[str, ...] = ()) -> list[Replica]:
        """Start a replica per name, each in a folder of its own, and wait until each competes
        for the leases (they start side by side: the imports take a second or two each)."""
        started = [self._launch(name, args) for name in names]
        for replica in started:
            wait_for(replica.competing, what=f"replica {replica.name} up")
        return started

    def _launch(self, name: str, args: tuple[str, ...]) -> Replica:
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / "golive.yaml"
        config.write_text(
            self.config.format(
                store=self.url,
                port=free_port(),
                down=self.down,
                hook=self.hook.url("/golive"),
            )
        )
        with (folder / "serve.log").open("ab") as out:
            process = subprocess.Popen(
                [*GOLIVE, "serve", "-c", str(config), "--lease-ttl", str(self.ttl), *args],
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        replica = Replica(name, config, process)
        self.started.append(replica)
        return replica

    def lease(self, name: str = "evaluator") -> Held | None:
        """Lease ``name`` while it is live (None when free or lapsed)."""
        held = current(self.store, name)
        return held if held is not None and held.expires_at > datetime.now(UTC) else None

    def leader(self, lease: str = "evaluator", timeout: float = 30.0) -> Replica:
        """The replica holding ``lease``, once one does."""
        found: list[Replica] = []

        def leads() -> bool:
            for replica in self.started:
                if replica.process.poll() not in (None, -signal.SIGKILL):
                    raise AssertionError(f"replica {replica.name} exited:\n{replica.log}")
            held = self.lease(lease)
            found[:] = [r for r in self.started if held is not None and r.holder == held.holder]
            return bool(found) and found[0].process.poll() is None

        wait_for(leads, timeout, what=f"a replica leading {lease}")
        return found[0]

    def handover(self, old: Replica, lease: str = "evaluator") -> tuple[Replica, float]:
        """Wait for another replica than ``old`` to lead ``lease``; it and how long it took."""
        started = time.monotonic()
        wait_for(
            lambda: (held := self.lease(lease)) is not None and held.holder != old.holder,
            timeout=30,
            what=f"another replica leading {lease}",
        )
        return self.leader(lease), time.monotonic() - started

    def state(self, check: str = "flaky") -> str | None:
        status = self.status(check)
        return status.state if status else None

    def status(self, check: str = "flaky") -> CheckStatus | None:
        """The check's status as the leader last stored it."""
        return load_statuses(self.store).get(check)

    def settled(self) -> bool:
        """Nothing left to send in the outbox (every notification delivered or failed)."""
        counts = counts_by_status(self.store)
        return counts.get("pending", 0) == 0 and counts.get("sending", 0) == 0

    def stop_all(self) -> None:
        for replica in self.started:
            if replica.process.poll() is None:
                os.kill(replica.pid, signal.SIGCONT)  # a frozen one cannot stop
            terminate(replica.process)
        self.store.close()


def dedup_keys(hook: WebhookReceiver) -> list[str]:
    """The dedup key of each request the receiver got, in order (a double shows twice)."""
    return [r.headers.get("X-Golive-Dedup-Key", "") for r in hook.requests]


def wait_for(condition: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what or 'condition'} not met within {timeout:.0f}s")
        time.sleep(0.05)
