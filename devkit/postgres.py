"""PostgreSQL: ``postgres`` on a free 127.0.0.1 port, trust auth, durability switched off.

The first ``initdb`` for a PostgreSQL major version is cached as a template under
``cache_dir()``; later servers copy it instead of running ``initdb`` again.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from devkit.ports import HOST, ensure_port_free
from devkit.process import Server, is_root, on_free_port, run_checked, spawn, wait_ready

__all__ = ["PostgresServer", "cache_dir"]


def _pg_bindir() -> Path:
    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(p) for p in re.findall(r"\d+", path.parent.parent.name))

    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=version)
    if found:
        return found[-1].parent
    postgres = shutil.which("postgres")
    if postgres and shutil.which("initdb", path=str(Path(postgres).parent)):
        return Path(postgres).parent
    raise RuntimeError(
        "PostgreSQL server not found in /usr/lib/postgresql/*/bin or PATH; "
        "install it with: devkit/system.sh (postgresql)"
    )


def _pg_major(bindir: Path) -> str:
    out = subprocess.run(
        [bindir / "postgres", "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"(\d+)", out)
    return match.group(1) if match else "unknown"


def cache_dir() -> Path:
    """Where devkit keeps reusable artefacts (``$GOLIVE_DEVKIT_CACHE`` overrides)."""
    if override := os.environ.get("GOLIVE_DEVKIT_CACHE"):
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(xdg) / "golive-devkit"


def _chown_tree(path: Path, user: str) -> None:
    subprocess.run(["chown", "-R", f"{user}:", str(path)], check=True)


def _usable_by(user: str, path: Path) -> bool:
    """Can ``user`` reach and write ``path``? (Its ancestors may be root-only 0700.)"""
    test = ["sh", "-c", 'test -x "$1" && test -w "$1"', "sh", str(path)]
    entry = pwd.getpwnam(user)
    return (
        subprocess.run(test, user=entry.pw_uid, group=entry.pw_gid, extra_groups=[]).returncode == 0
    )


class PostgresServer(Server):
    """``postgres`` with trust auth for user ``postgres``, durability switched off."""

    stop_signal = signal.SIGINT  # "fast" shutdown: do not wait for clients to disconnect

    def __init__(
        self, proc: subprocess.Popen[bytes], base_dir: Path, log: Path, port: int, data: Path
    ) -> None:
        super().__init__(proc, base_dir, log)
        self.port = port
        self.data_dir = data
        self._scratch: Path | None = None

    @classmethod
    def start(
        cls,
        base_dir: Path,
        *,
        port: int | None = None,
        settings: Mapping[str, str] | None = None,
        timeout: float = 30.0,
    ) -> PostgresServer:
        """initdb (or copy the cached template) into ``base_dir`` and start postgres."""
        if settings and {"listen_addresses", "port"} & set(settings):
            raise ValueError("postgres listens on 127.0.0.1 only; use port=, not settings")
        base_dir = Path(base_dir).resolve()
        base_dir.mkdir(parents=True, exist_ok=True)
        bindir = _pg_bindir()
        user = "postgres" if is_root() else None
        if user is not None:
            try:
                pwd.getpwnam(user)
            except KeyError:
                raise RuntimeError("running as root needs the 'postgres' user") from None
        log = base_dir / "postgres.log"
        root, scratch = cls._pg_root(base_dir, user)
        data, sock = root / "data", root / "sock"
        sock.mkdir(exist_ok=True)
        if user is not None:
            _chown_tree(sock, user)
        cls._init_data(bindir, data, log, user)

        def launch(p: int) -> PostgresServer:
            ensure_port_free(p)
            sock_arg = str(sock) if len(f"{sock}/.s.PGSQL.{p}") < 100 else ""
            cmd: list[str | Path] = [bindir / "postgres", "-D", data, "-h", HOST, "-p", str(p)]
            cmd += ["-k", sock_arg]
            options = {"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off"}
            for key, value in {**options, **(settings or {})}.items():
                cmd += ["-c", f"{key}={value}"]
            proc = spawn(cmd, log, user=user, cwd=root)
            server = cls(proc, base_dir, log, p, data)
            try:
                wait_ready(proc, log, "postgres", server._answers, timeout)
            except BaseException:
                server.stop()
                raise
            return server

        try:
            server = on_free_port(port, launch)
        except BaseException:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
            raise
        server._scratch = scratch
        return server

    @staticmethod
    def _pg_root(base_dir: Path, user: str | None) -> tuple[Path, Path | None]:
        """Directory for data + socket; outside ``base_dir`` if postgres cannot reach it."""
        root = base_dir / "pg"
        if root.is_symlink():  # scratch of an earlier, stopped server: it is gone
            root.unlink()
        root.mkdir(exist_ok=True)
        if user is None:
            return root, None
        _chown_tree(root, user)
        if _usable_by(user, root):
            return root, None
        scratch = Path(tempfile.mkdtemp(prefix="golive-devkit-pg-"))
        _chown_tree(scratch, user)
        shutil.rmtree(root)
        root.symlink_to(scratch)  # keep the data findable from base_dir
        return scratch, scratch

    @staticmethod
    def _init_data(bindir: Path, data: Path, log: Path, user: str | None) -> None:
        if data.exists():
            return
        # 1 MB WAL segments: a 28 MB cluster instead of 39 MB, so copies are faster.
        options = ["-U", "postgres", "-A", "trust", "--no-sync", "--locale=C", "-E", "UTF8"]
        options += ["--wal-segsize=1", "--no-instructions"]
        tag = hashlib.sha256(" ".join(options).encode()).hexdigest()[:8]
        template = cache_dir() / f"pg-template-{_pg_major(bindir)}-{tag}"
        if (template / "PG_VERSION").is_file():
            subprocess.run(["cp", "-a", str(template), str(data)], check=True)
            if user is not None and data.stat().st_uid != pwd.getpwnam(user).pw_uid:
                _chown_tree(data, user)
            return
        initdb: list[str | Path] = [bindir / "initdb", "-D", data, *options]
        run_checked(initdb, log, "initdb", user=user, cwd=data.parent)
        try:  # cache for next time; atomic rename so concurrent sessions never see half
            template.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(dir=template.parent, prefix=".staging-"))
            subprocess.run(["cp", "-a", str(data), str(staging / "data")], check=True)
            try:
                (staging / "data").rename(template)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        except (OSError, subprocess.CalledProcessError):
            pass

    def _answers(self) -> bool:
        import psycopg

        with psycopg.connect(self.dsn(), connect_timeout=2) as conn:
            row = conn.execute("SHOW data_directory").fetchone()
        if row is None or Path(row[0]).resolve() != self.data_dir.resolve():
            raise RuntimeError(f"port {self.port} is answered by another postgres ({row})")
        return True

    def dsn(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@{HOST}:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        """CREATE DATABASE ``name``; returns its DSN."""
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.dsn(name)

    def _cleanup(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
