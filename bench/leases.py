"""Leader hand-over time after SIGKILL, on a real PostgreSQL store: a leader and a standby
process (``Leadership`` on the system clock), the leader killed at a random point of its renewal
cycle, the time until the standby leads (median, min and max of RUNS runs per ttl) against the
bound ttl + ttl/3 (the lease lapses at most a ttl after the last renewal; the standby tries
every ttl/3). Prints a table and writes bench/results/leases.json.
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

from devkit.leases import Contender  # noqa: E402
from devkit.postgres import PostgresServer  # noqa: E402
from golive.store import Store, normalise_url  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "leases.json"


def handover(server: PostgresServer, ttl: float, run: int) -> float:
    """Seconds from SIGKILL of the leader until the standby says it leads."""
    url = normalise_url(server.create_database(f"lease_{int(ttl * 1000)}_{run}"), ROOT)
    Store.open(url).close()  # migrated before the contenders start
    leader = Contender("lead", url, "a", str(ttl))
    standby: Contender | None = None
    try:
        leader.wait_for("leader", 60)
        standby = Contender("lead", url, "b", str(ttl))
        standby.wait_for("standby", 60)
        time.sleep(random.uniform(0, ttl / 3))  # anywhere in the leader's renewal cycle
        killed_at = time.time()
        os.kill(leader.proc.pid, signal.SIGKILL)
        took = standby.wait_for("leader", ttl * 3)
        return float(took["at"]) - killed_at
    finally:
        leader.stop()
        if standby is not None:
            standby.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ttl", type=float, nargs="+", default=[3.0, 10.0], help="seconds")
    parser.add_argument("--runs", type=int, default=5, help="hand-overs per ttl")
    args = parser.parse_args()
    rows: dict[str, dict[str, Any]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="golive-bench-leases-") as folder,
        PostgresServer.start(Path(folder)) as server,
    ):
        for ttl in args.ttl:
            times = []
            for run in range(args.runs):
                times.append(handover(server, ttl, run))
                print(f"ttl {ttl:g} s, run {run + 1}: {times[-1]:.2f} s", file=sys.stderr)
            rows[f"{ttl:g}"] = {
                "ttl_s": ttl,
                "bound_s": ttl + ttl / 3,
                "median_s": statistics.median(times),
                "min_s": min(times),
                "max_s": max(times),
                "runs_s": times,
            }
    print(
        f"{'ttl s':>6} {'median s':>9} {'min s':>7} {'max s':>7} {'bound s':>8}  (SIGKILL → lead)"
    )
    for row in rows.values():
        print(
            f"{row['ttl_s']:>6g} {row['median_s']:>9.2f} {row['min_s']:>7.2f} "
            f"{row['max_s']:>7.2f} {row['bound_s']:>8.2f}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    result = {"args": vars(args), "store": "postgresql", "handover": rows}
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
