"""Backup overhead: golive's logical backup and restore drill against plain pg_dump + pg_restore
of the same pgbench database, in the same run, on the same PostgreSQL.

A fresh devkit PostgreSQL gets ``pgbench -i --foreign-keys -s SCALE``. Each repeat runs, in
turn: plain ``pg_dump -Fc`` to a file; golive's ``run_backup`` (custom format, one job, a
directory target: the dump in an exported snapshot, row counts of every table in that snapshot,
SHA-256 of the file, the catalog); plain ``createdb`` + ``pg_restore`` + ``dropdb``; golive's
``run_drill`` (checksum, restore into a scratch database, every table counted, foreign keys, one
``expect``, drop). With pgBackRest installed, a physical row too: golive's pgbackrest backup
against ``pgbackrest backup --type=full`` by hand, on a cluster archiving WAL
(bench/backup_physical.py). Reports the medians and golive's overhead over the plain tools
(target ≤ 10 %). See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from probes import ROOT, out, progress
from rich.table import Table

sys.path.insert(0, str(ROOT))

from devkit.servers import PostgresServer

TARGET = 0.10


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10, help="pgbench scale (100,000 rows each)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-physical", action="store_true", help="skip the pgBackRest row")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "backup.json")
    args = parser.parse_args()

    import psycopg

    from golive.backup.drill import run_drill
    from golive.backup.pgtools import bindir_for, installed_majors
    from golive.backup.run import run_backup
    from golive.clock import SystemClock
    from golive.config import load_config
    from golive.engine import open_store

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="golive-bench-backup-") as scratch:
        base = Path(scratch)
        with PostgresServer.start(base / "pg") as server:
            dsn = server.create_database("bench")
            progress(f"pgbench -i --foreign-keys -s {args.scale}")
            init = timed(["pgbench", "-i", "-q", "--foreign-keys", "-s", str(args.scale), dsn])
            bindir = bindir_for(max(installed_majors()), installed_majors())
            with psycopg.connect(dsn) as conn:
                size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
            config = base / "golive.yaml"
            config.write_text(
                json.dumps(
                    {
                        "version": 1,
                        "project": "bench",
                        "store": "sqlite:///golive.db",
                        "backups": [
                            {
                                "name": "bench",
                                "postgres": {"dsn": dsn, "jobs": 1},
                                "to": {"dir": "backups"},
                                "retention": {"last": 1, "daily": 0, "weekly": 0},
                                "verify": {"expect": ["SELECT count(*) > 0 FROM pgbench_branches"]},
                            }
                        ],
                    }
                )
            )
            loaded = load_config(config, environ={})
            store = open_store(loaded)
            clock = SystemClock()
            rows: list[dict[str, float]] = []
            for i in range(args.repeat):
                progress(f"repeat {i + 1}/{args.repeat}")
                dump = base / "plain.pgdump"
                plain_dump = timed([str(bindir / "pg_dump"), "-Fc", "-f", str(dump), dsn])
                t0 = time.perf_counter()
                entry = asyncio.run(
                    run_backup(loaded, "bench", store=store, clock=clock, environ={})
                )
                golive_dump = time.perf_counter() - t0
                target = server.dsn("plain_restore")
                t0 = time.perf_counter()
                with psycopg.connect(server.dsn(), autocommit=True) as conn:
                    conn.execute("CREATE DATABASE plain_restore")
                subprocess.run(
                    [str(bindir / "pg_restore"), "--no-owner", "-d", target, str(dump)],
                    check=True,
                    capture_output=True,
                )
                with psycopg.connect(server.dsn(), autocommit=True) as conn:
                    conn.execute("DROP DATABASE plain_restore")
                plain_restore = time.perf_counter() - t0
                t0 = time.perf_counter()
                report = asyncio.run(
                    run_drill(loaded, "bench", store=store, clock=clock, environ={})
                )
                golive_drill = time.perf_counter() - t0
                if not report.ok:
                    raise SystemExit(f"the drill failed: {report.reason}")
                rows.append(
                    {
                        "plain_dump_s": plain_dump,
                        "golive_backup_s": golive_dump,
                        "plain_restore_s": plain_restore,
                        "golive_drill_s": golive_drill,
                        "dump_bytes": entry.size,
                        "row_count_s": float(entry.source.get("count_seconds", 0.0)),
                    }
                )
                dump.unlink()
            store.close()
            shutil.rmtree(base / "backups", ignore_errors=True)
        physical: list[dict[str, float]] = []
        if not args.no_physical and shutil.which("pgbackrest"):
            from backup_physical import physical_rows

            progress("physical: pgBackRest by hand and through golive")
            physical = physical_rows(base, args.scale, args.repeat)

    def median(key: str) -> float:
        return statistics.median(r[key] for r in rows)

    backup_overhead = median("golive_backup_s") / median("plain_dump_s") - 1
    drill_overhead = median("golive_drill_s") / median("plain_restore_s") - 1
    out.print(
        f"golive's exact row counts (beside pg_dump, in its snapshot): median"
        f" {median('row_count_s'):.2f} s; dump {median('dump_bytes') / 1e6:.0f} MB"
    )
    table = Table(
        title=f"backup: pgbench -s {args.scale} ({size / 1e6:.0f} MB database), median of {args.repeat}"
    )
    for column in ("step", "plain tools (s)", "golive (s)", "overhead", f"target ≤ {TARGET:.0%}"):
        table.add_column(column)
    steps = [
        ("dump / backup", median("plain_dump_s"), median("golive_backup_s"), backup_overhead),
        ("restore / drill", median("plain_restore_s"), median("golive_drill_s"), drill_overhead),
    ]
    physical_overhead = None
    if physical:
        by_hand = statistics.median(r["pgbackrest_by_hand_s"] for r in physical)
        ours = statistics.median(r["golive_pgbackrest_s"] for r in physical)
        physical_overhead = ours / by_hand - 1
        steps.append(("physical full backup (pgBackRest)", by_hand, ours, physical_overhead))
    for step, plain, ours, over in steps:
        table.add_row(
            step,
            f"{plain:.2f}",
            f"{ours:.2f}",
            f"{over:+.1%}",
            "met" if over <= TARGET else "MISSED",
        )
    out.print(table)
    document = {
        "benchmark": "backup",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {"scale": args.scale, "repeat": args.repeat, "format": "custom", "jobs": 1},
        "machine": {"nproc": os.cpu_count(), "python": sys.version.split()[0]},
        "database_bytes": size,
        "pgbench_init_s": init,
        "repeats": rows,
        "physical_repeats": physical,
        "summary": {
            "backup_overhead": backup_overhead,
            "drill_overhead": drill_overhead,
            "physical_backup_overhead": physical_overhead,
        },
        "elapsed_s": time.monotonic() - started,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=2) + "\n")
    out.print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
