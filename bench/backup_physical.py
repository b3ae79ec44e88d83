"""The physical row of bench/backup.py: a full backup by golive (``run_backup`` of a
``pgbackrest:`` backup: pgbackrest backup, pgbackrest info read into the catalog, the manifest
stored) against ``pgbackrest backup --type=full`` run by hand, on the same pgbench data in a
cluster that archives its WAL through pgBackRest."""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
from pathlib import Path


def physical_rows(base: Path, scale: int, repeat: int) -> list[dict[str, float]]:
    """Per repeat: seconds by hand, seconds through golive, and the repository's delta."""
    from devkit.pgbackrest import STANZA, ArchivingCluster
    from golive.backup.run import run_backup
    from golive.clock import SystemClock
    from golive.config import load_config
    from golive.engine import open_store

    rows: list[dict[str, float]] = []
    with ArchivingCluster.start() as cluster:
        dsn = cluster.server.create_database("bench")
        subprocess.run(
            ["pgbench", "-i", "-q", "--foreign-keys", "-s", str(scale), dsn],
            check=True,
            capture_output=True,
        )
        config = base / "physical.yaml"
        config.write_text(
            json.dumps(
                {
                    "version": 1,
                    "project": "bench",
                    "store": "sqlite:///physical.db",
                    "backups": [
                        {
                            "name": "cluster",
                            "pgbackrest": {
                                "stanza": STANZA,
                                "config": str(cluster.config),
                                "type": "full",
                            },
                            "to": {"dir": "physical"},
                            "retention": {"last": 1, "daily": 0, "weekly": 0},
                        }
                    ],
                }
            )
        )
        loaded = load_config(config, environ={})
        store = open_store(loaded)
        clock = SystemClock()
        cluster.pgbackrest("backup", "--type=full")  # untimed: archives pgbench's WAL backlog
        for _ in range(repeat):
            t0 = time.perf_counter()
            cluster.pgbackrest("backup", "--type=full")
            by_hand = time.perf_counter() - t0
            t0 = time.perf_counter()
            entry = asyncio.run(run_backup(loaded, "cluster", store=store, clock=clock, environ={}))
            ours = time.perf_counter() - t0
            rows.append(
                {
                    "pgbackrest_by_hand_s": by_hand,
                    "golive_pgbackrest_s": ours,
                    "repo_bytes": float(entry.source.get("repo_size") or 0),
                }
            )
        store.close()
    return rows
