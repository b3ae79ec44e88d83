"""A throwaway PostgreSQL over a restored data directory, for physical restore drills.

It listens on no TCP address: only a socket in the drill's private folder (mode 0700), with
trust for that socket alone, archiving off (so a promoted drill never pushes WAL into the
real repository), and its own ``hba_file``; the restored cluster's settings are kept
otherwise. ``with ScratchPostgres(...)`` starts it and stops it (immediate shutdown: the data
is thrown away next).
"""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

from golive import settings
from golive.backup import pgtools
from golive.exceptions import BackupError

_STOP = re.compile(r"(recovery stopping [^\n]*|consistent recovery state reached[^\n]*)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ScratchPostgres:
    """``postgres -D data`` on a private socket under ``folder``, run as ``user`` (or us)."""

    def __init__(self, folder: Path, data: Path, *, user: str | None) -> None:
        self.folder, self.data, self.user = folder, data, user
        self.sock = folder / "sock"
        self.log = folder / "postgres.log"
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def _prepare(self) -> list[str]:
        """The files a restored data directory may lack (Debian keeps them in /etc)."""
        self.sock.mkdir(mode=0o700, exist_ok=True)
        hba = self.folder / "golive_hba.conf"
        hba.write_text("local all all trust\n")
        ident = self.folder / "golive_ident.conf"
        ident.write_text("")
        conf = self.data / "postgresql.conf"
        if not conf.exists():
            conf.write_text("")
        if self.user is not None:
            subprocess.run(["chown", "-R", f"{self.user}:", str(self.folder)], check=True)
        return [
            "listen_addresses=",
            f"unix_socket_directories={self.sock}",
            f"port={self.port}",
            f"hba_file={hba}",
            f"ident_file={ident}",
            "archive_mode=off",
            "hot_standby=off",
            "fsync=off",
            "ssl=off",
            "logging_collector=off",
            "log_min_messages=log",
        ]

    def __enter__(self) -> ScratchPostgres:
        version = (self.data / "PG_VERSION").read_text().strip()
        bindir = pgtools.bindir_for(int(version.split(".")[0]), pgtools.installed_majors())
        cmd = [str(bindir / "postgres"), "-D", str(self.data)]
        for option in self._prepare():
            cmd += ["-c", option]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                cmd,
                stdout=log,
                stderr=subprocess.STDOUT,
                user=self.user,
                cwd=str(self.folder),
                env=settings.command_environ(),
                start_new_session=True,
            )
        return self

    def dsn(self, database: str = "postgres") -> str:
        return f"host={self.sock} port={self.port} user=postgres dbname={database}"

    def said(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def wait_recovered(self, timeout: float) -> None:
        """Wait (polling, up to ``timeout`` seconds) until recovery ended and it takes writes;
        a server that exits or never gets there is a BackupError with its last log lines."""
        import psycopg

        assert self.process is not None
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise BackupError(
                    f"the restored PostgreSQL stopped: {pgtools.last_lines(self.said())}"
                )
            try:
                with psycopg.connect(self.dsn(), connect_timeout=2, autocommit=True) as conn:
                    row = conn.execute("SELECT pg_is_in_recovery()").fetchone()
                if row is not None and row[0] is False:
                    return
            except psycopg.Error:
                pass
            if time.monotonic() > deadline:
                raise BackupError(
                    f"the restored PostgreSQL did not finish recovery in {timeout:.0f}s:"
                    f" {pgtools.last_lines(self.said())}"
                )
            time.sleep(0.1)

    def recovery_stop(self) -> str | None:
        """Where PostgreSQL said recovery stopped, from its log."""
        found = _STOP.findall(self.said())
        return str(found[-1]).strip() if found else None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)  # immediate: the data is thrown away next
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
