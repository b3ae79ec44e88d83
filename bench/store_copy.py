"""`golive store migrate --to`: rows per second copying a SQLite store of ``--rows`` evidence
rows (1 M by default) into a fresh database on a local PostgreSQL (devkit's, durability off),
verification included. Prints a table and writes bench/results/store_copy.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from devkit.servers import PostgresServer  # noqa: E402
from golive.records import EvidenceRecord, RunSummary  # noqa: E402
from golive.store import Store, normalise_url  # noqa: E402
from golive.store.copy import copy_store, target_url  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "store_copy.json"
T0 = datetime(2026, 11, 1, tzinfo=UTC)
PER_RUN = 50_000  # evidence rows written per run (one transaction each)


def filled(folder: Path, rows: int) -> tuple[Store, float]:
    """A SQLite store with ``rows`` evidence rows like a serve cycle writes; seconds taken."""
    store = Store.open(normalise_url("sqlite:///golive.db", folder))
    started = time.perf_counter()
    for first in range(0, rows, PER_RUN):
        records = [
            EvidenceRecord(
                kind="check",
                subject=f"check-{n % 500}",
                ok=n % 17 != 0,
                taken_at=T0 + timedelta(seconds=n),
                expires_at=T0 + timedelta(seconds=n + 120),
                latency_ms=12.5 + n % 100,
                error=None if n % 17 else "timeout",
                values={"status": 200, "bytes": n},
                failed=[],
            )
            for n in range(first, min(first + PER_RUN, rows))
        ]
        at = T0 + timedelta(seconds=first)
        store.record_run(RunSummary("serve", "prod", at, at), records)
    return store, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="evidence rows to copy")
    parser.add_argument("--batch", type=int, default=5000, help="rows per INSERT batch")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="golive-bench-copy-") as name:
        folder = Path(name)
        store, fill_seconds = filled(folder, args.rows)
        size = (folder / "golive.db").stat().st_size
        print(f"filled {args.rows:,} evidence rows in {fill_seconds:.1f}s", file=sys.stderr)
        with PostgresServer.start(folder / "postgres") as server:
            url = target_url(server.create_database("copy"))
            cpu = os.times()
            report = copy_store(store, url, batch=args.batch)
            cpu_after = os.times()
        store.close()
    assert report.committed, report.mismatched
    rate = report.rows / report.seconds
    process_cpu = cpu_after.user + cpu_after.system - cpu.user - cpu.system
    result = {
        "evidence_rows": args.rows,
        "rows_copied": report.rows,
        "batch": args.batch,
        "sqlite_bytes": size,
        "seconds": round(report.seconds, 2),
        "rows_per_second": round(rate),
        "golive_cpu_seconds": round(process_cpu, 2),
        "tables_verified": len(report.tables),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print("store copy (SQLite → PostgreSQL, verified, one transaction)")
    print(f"  rows copied       {report.rows:>12,}  ({size / 1e6:,.0f} MB of SQLite)")
    print(f"  wall time         {report.seconds:>12.1f} s")
    print(f"  rows per second   {rate:>12,.0f}")
    print(f"  golive CPU        {process_cpu:>12.1f} s")


if __name__ == "__main__":
    main()
