"""Replica hand-over: two real `golive serve --role all` replicas on one PostgreSQL store; the
leading replica is killed with SIGKILL at a random point of its renewal cycle, at the moment
its check starts failing (one probe a second, ``fail_after: 1``).

Per run it records the hand-over (kill → the other replica holds the evaluator lease), the
page (kill → the webhook receives the alert, which only the new leader can send) and how many
notifications (alert and resolution) arrived twice by their ``X-Golive-Dedup-Key``. Reports the
median, min and max per lease ttl against the bound ttl + ttl/3, and writes
bench/results/failover.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devkit.postgres import PostgresServer  # noqa: E402
from devkit.receivers import WebhookReceiver  # noqa: E402
from devkit.replicas import Replicas, dedup_keys, wait_for  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "failover.json"


def one_run(server: PostgresServer, base: Path, ttl: float, run: int) -> dict[str, float]:
    """One kill of the leader as check ``flaky`` goes down: the hand-over's and the page's times."""
    hook = WebhookReceiver()
    hook.start()
    name = f"failover_{int(ttl * 1000)}_{run}_{os.getpid()}"
    url = server.create_database(name).replace("postgresql://", "postgresql+psycopg://")
    replicas = Replicas(base / name, url, hook, ttl=ttl)
    try:
        replicas.start("a", "b")
        leader = replicas.leader()
        wait_for(lambda: replicas.state() == "up", 60, "flaky up")
        time.sleep(random.uniform(0, ttl / 3))  # anywhere in the leader's renewal cycle
        killed_at = time.monotonic()
        leader.process.send_signal(signal.SIGKILL)
        replicas.down.touch()
        _new, handover = replicas.handover(leader)
        wait_for(lambda: len(hook.requests) >= 1, 60, "the alert")
        page = time.monotonic() - killed_at
        replicas.down.unlink()
        wait_for(lambda: len(hook.requests) >= 2, 60, "the resolution")
        wait_for(replicas.settled, 60, "an empty outbox")
        keys = dedup_keys(hook)
        return {
            "handover_s": handover,
            "page_s": page,
            "doubled": len(keys) - len(set(keys)),
        }
    finally:
        replicas.stop_all()
        hook.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ttl", type=float, nargs="+", default=[3.0, 10.0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    with (
        tempfile.TemporaryDirectory(prefix="golive-failover-") as tmp,
        PostgresServer.start(Path(tmp) / "postgres") as server,
    ):
        for ttl in args.ttl:
            runs = [one_run(server, Path(tmp), ttl, i) for i in range(args.runs)]
            handovers = [r["handover_s"] for r in runs]
            rows.append(
                {
                    "ttl_s": ttl,
                    "bound_s": ttl * 4 / 3,
                    "handover_median_s": statistics.median(handovers),
                    "handover_min_s": min(handovers),
                    "handover_max_s": max(handovers),
                    "page_median_s": statistics.median(r["page_s"] for r in runs),
                    "doubled": sum(int(r["doubled"]) for r in runs),
                    "runs": runs,
                }
            )
    print(f"{'ttl':>6} {'bound':>7} {'hand-over median (min-max)':>28} {'first page':>11} doubled")
    for row in rows:
        print(
            f"{row['ttl_s']:>5g}s {row['bound_s']:>6.1f}s "
            f"{row['handover_median_s']:>14.2f}s ({row['handover_min_s']:.2f}-"
            f"{row['handover_max_s']:.2f}) {row['page_median_s']:>10.2f}s "
            f"{row['doubled']:>7}"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"bench": "failover", "rows": rows}, indent=2) + "\n")
    print(f"wrote {args.json.relative_to(ROOT) if args.json.is_relative_to(ROOT) else args.json}")


if __name__ == "__main__":
    main()
