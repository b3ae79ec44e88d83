"""A PostgreSQL cluster that archives its WAL through pgBackRest into a local repository, for
the physical backup tests and the benchmark (``with ArchivingCluster.start() as cluster``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

from devkit.servers import PostgresServer

STANZA = "golive"


class ArchivingCluster:
    """Its own ``postgres`` with ``archive_mode=on`` and ``archive_command`` = pgBackRest's
    ``archive-push``, a repository in a temporary folder, and the stanza created."""

    def __init__(self, root: Path, server: PostgresServer) -> None:
        self.root, self.server = root, server
        self.config = root / "pgbackrest.conf"
        self.repo = root / "repo"

    @classmethod
    def start(cls) -> ArchivingCluster:
        root = Path(tempfile.mkdtemp(prefix="golive-pgbr-"))  # short: the socket path fits
        root.chmod(0o755)
        config = root / "pgbackrest.conf"
        push = f"pgbackrest --config={config} --stanza={STANZA} archive-push %p"
        server = PostgresServer.start(
            root / "server",
            settings={
                "archive_mode": "on",
                "archive_command": push,
                "wal_level": "replica",
                "full_page_writes": "on",
            },
        )
        cluster = cls(root, server)
        try:
            cluster._configure()
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _configure(self) -> None:
        for sub in ("repo", "log", "lock", "spool"):
            (self.root / sub).mkdir()
        data = self.server.data_dir.resolve()
        self.config.write_text(
            "[global]\n"
            f"repo1-path={self.repo}\n"
            f"log-path={self.root / 'log'}\n"
            f"lock-path={self.root / 'lock'}\n"
            f"spool-path={self.root / 'spool'}\n"
            "start-fast=y\n"
            "log-level-console=warn\n"
            "log-level-file=off\n"
            "compress-type=lz4\n"
            f"[{STANZA}]\n"
            f"pg1-path={data}\n"
            f"pg1-port={self.server.port}\n"
            f"pg1-socket-path={data.parent / 'sock'}\n"
        )
        if os.geteuid() == 0:
            subprocess.run(["chown", "-R", "postgres:", str(self.root)], check=True)
            for sub in ("server",):  # devkit's own folder stays reachable
                subprocess.run(["chmod", "755", str(self.root / sub)], check=True)
        self.pgbackrest("stanza-create")

    def pgbackrest(self, *args: str) -> str:
        """Run pgBackRest by hand on this cluster (as postgres when we are root)."""
        done = subprocess.run(
            ["pgbackrest", f"--config={self.config}", f"--stanza={STANZA}", *args],
            capture_output=True,
            text=True,
            user="postgres" if os.geteuid() == 0 else None,
            cwd="/",
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pgbackrest {' '.join(args)}: {done.stderr or done.stdout}")
        return done.stdout

    def dsn(self, database: str = "postgres") -> str:
        return self.server.dsn(database)

    def stop(self) -> None:
        self.server.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> ArchivingCluster:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
