"""Real PostgreSQL, Redis, nginx and dnsmasq servers on free 127.0.0.1 ports.

Each ``start(...)`` blocks until the server really answers and raises RuntimeError
(command + log tail) when it cannot; every server is a context manager with an
idempotent ``stop()``. Binaries come from Debian packages (``devkit/system.sh``).
"""

from __future__ import annotations

import atexit
import hashlib
import ipaddress
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar
from urllib.parse import quote

from devkit.ports import (
    HOST,
    command_line,
    ensure_alive,
    ensure_port_free,
    free_port,
    log_tail,
    wait_for_port,
)

if TYPE_CHECKING:
    import dns.resolver

__all__ = ["DnsServer", "NginxServer", "PostgresServer", "RedisServer", "free_port"]

T = TypeVar("T")
STOP_GRACE_SECONDS = 5.0
_LIVE: set[Server] = set()
_LIVE_LOCK = threading.Lock()


def _is_root() -> bool:
    return os.geteuid() == 0


def _binary(name: str, *candidates: str, package: str) -> str:
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} not found; install it with: devkit/system.sh ({package})")
    return found


def _spawn(
    cmd: Sequence[str | Path], log: Path, *, user: str | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start ``cmd`` with stdout+stderr appended to ``log`` (as ``user`` when given)."""
    creds: dict[str, Any] = {}
    env = dict(os.environ, LC_ALL="C")
    if user is not None:
        entry = pwd.getpwnam(user)
        creds = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
        env.update(HOME=entry.pw_dir, USER=user, LOGNAME=user)
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(c) for c in cmd],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            **creds,
        )


class _Fatal(Exception):
    """Raised by a readiness check when waiting longer cannot help."""


def _wait_ready(
    proc: subprocess.Popen[bytes],
    log: Path,
    what: str,
    check: Callable[[], bool],
    timeout: float,
) -> None:
    """Poll ``check`` until it returns True; RuntimeError if ``proc`` dies or time runs out."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        ensure_alive(proc, what, log)
        try:
            if check():
                return
        except _Fatal as exc:
            raise RuntimeError(f"{what}: {exc}") from None
        except Exception as exc:
            last_error = exc
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{what} did not answer within {timeout:.1f}s (last error: {last_error!r})\n"
                f"command: {command_line(proc)}\n--- log tail ({log}) ---\n{log_tail(log)}"
            )
        time.sleep(0.02)


def _on_free_port(port: int | None, attempt: Callable[[int], T], *, udp: bool = False) -> T:
    """Run ``attempt(port)``; with no port given, retry on fresh ports if one was taken."""
    if port is not None:
        return attempt(port)
    for tries_left in range(2, -1, -1):
        try:
            return attempt(free_port(udp=udp))
        except RuntimeError as exc:
            if not tries_left or "in use" not in str(exc).lower():
                raise
    raise AssertionError("unreachable")


def _children(pid: int) -> set[int]:
    """PIDs whose parent is ``pid`` (Linux /proc)."""
    kids: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            kids.add(int(entry.name))
    return kids


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


class Server:
    """A server process we started; stopping it is idempotent."""

    stop_signal: ClassVar[signal.Signals] = signal.SIGTERM

    def __init__(self, proc: subprocess.Popen[bytes], base_dir: Path, log: Path) -> None:
        self.proc = proc
        self.base_dir = base_dir
        self.log = log
        self.host = HOST
        self._stop_lock = threading.Lock()
        self._stopped = False
        with _LIVE_LOCK:
            _LIVE.add(self)

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def running(self) -> bool:
        return self.proc.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self.log, lines)

    def stop(self) -> None:
        """Signal the server, wait up to 5 s, then kill it. Safe to call repeatedly."""
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
            with _LIVE_LOCK:
                _LIVE.discard(self)
            _terminate(self.proc, self.stop_signal)
            self._cleanup()

    def _cleanup(self) -> None:
        """Hook for subclasses: runs once after the process is gone."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else f"exited({self.proc.returncode})"
        return f"<{type(self).__name__} pid={self.pid} {state} dir={self.base_dir}>"


def _terminate(proc: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGTERM) -> None:
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
            proc.wait(timeout=STOP_GRACE_SECONDS)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            proc.kill()
    proc.wait()


@atexit.register
def _stop_all() -> None:
    with _LIVE_LOCK:
        live = list(_LIVE)
    for server in live:
        server.stop()


# --------------------------------------------------------------------------- PostgreSQL


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


def _run_checked(cmd: Sequence[str | Path], log: Path, what: str, **kw: Any) -> None:
    proc = _spawn(cmd, log, **kw)
    try:
        code = proc.wait(timeout=180)
    except subprocess.TimeoutExpired:
        _terminate(proc)
        code = -1
    if code != 0:
        raise RuntimeError(
            f"{what} failed with code {code}\ncommand: {command_line(proc)}\n"
            f"--- log tail ({log}) ---\n{log_tail(log)}"
        )


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
        user = "postgres" if _is_root() else None
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
            proc = _spawn(cmd, log, user=user, cwd=root)
            server = cls(proc, base_dir, log, p, data)
            try:
                _wait_ready(proc, log, "postgres", server._answers, timeout)
            except BaseException:
                server.stop()
                raise
            return server

        try:
            server = _on_free_port(port, launch)
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
        _run_checked(initdb, log, "initdb", user=user, cwd=data.parent)
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


# --------------------------------------------------------------------------- Redis


def _resp(*args: str) -> bytes:
    parts = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


class RedisServer(Server):
    """``redis-server`` without persistence."""

    def __init__(
        self,
        proc: subprocess.Popen[bytes],
        base_dir: Path,
        log: Path,
        port: int,
        password: str | None,
    ) -> None:
        super().__init__(proc, base_dir, log)
        self.port = port
        self.password = password

    @classmethod
    def start(
        cls,
        base_dir: Path,
        *,
        port: int | None = None,
        maxmemory: str | None = None,
        password: str | None = None,
        extra_args: Sequence[str] = (),
        timeout: float = 30.0,
    ) -> RedisServer:
        if {"--bind", "--port", "--protected-mode"} & set(extra_args):
            raise ValueError("redis listens on 127.0.0.1 only; use port=, not extra_args")
        base_dir = Path(base_dir).resolve()
        base_dir.mkdir(parents=True, exist_ok=True)
        binary = _binary("redis-server", "/usr/bin/redis-server", package="redis-server")
        log = base_dir / "redis.log"

        def launch(p: int) -> RedisServer:
            ensure_port_free(p)
            cmd = [binary, "--port", str(p), "--bind", HOST, "--save", "", "--appendonly", "no"]
            cmd += ["--dir", str(base_dir), "--daemonize", "no"]
            if maxmemory is not None:
                cmd += ["--maxmemory", maxmemory]
            if password is not None:
                cmd += ["--requirepass", password]
            proc = _spawn([*cmd, *extra_args], log)
            server = cls(proc, base_dir, log, p, password)
            try:
                _wait_ready(proc, log, "redis-server", server._answers, timeout)
            except BaseException:
                server.stop()
                raise
            return server

        return _on_free_port(port, launch)

    def _answers(self) -> bool:
        # Plain RESP over a socket: importing redis-py costs ~0.5 s and its default
        # Retry (exponential backoff) turns one refused connection into seconds.
        with socket.create_connection((HOST, self.port), timeout=2) as sock:
            if self.password is not None:
                sock.sendall(_resp("AUTH", self.password))
            sock.sendall(_resp("INFO", "server"))
            reply = b""
            while (found := re.search(rb"process_id:(\d+)\r\n", reply)) is None:
                if re.search(rb"(^|\r\n)-", reply):
                    raise RuntimeError(f"redis answered {reply!r}")
                chunk = sock.recv(65536)
                if not chunk:
                    raise RuntimeError(f"redis closed the connection after {reply!r}")
                reply += chunk
        if int(found.group(1)) != self.pid:
            raise RuntimeError(f"port {self.port} is answered by another redis")
        return True

    @property
    def url(self) -> str:
        auth = f":{quote(self.password, safe='')}@" if self.password is not None else ""
        return f"redis://{auth}{HOST}:{self.port}/0"


# --------------------------------------------------------------------------- nginx

_LISTEN = re.compile(r"(?:^|[;{}])\s*listen\s+([^\s;]+)", re.MULTILINE)


def _check_listens(http_conf: str) -> None:
    """Refuse any ``listen`` that is not an explicit loopback address."""
    conf = re.sub(r"#[^\n]*", "", http_conf)
    for match in _LISTEN.finditer(conf):
        where = match.group(1)
        if not re.fullmatch(r"127\.0\.0\.1:\d+|unix:.+", where):
            raise ValueError(f"nginx may only listen on 127.0.0.1:PORT, not {where!r}")
    for match in re.finditer(r"(?:^|[;{}])\s*(?P<server>server)\s*\{", conf):
        if conf.count("{", 0, match.start("server")) - conf.count("}", 0, match.start("server")):
            continue  # not an http-level server block
        depth, end = 0, match.end() - 1
        for end in range(match.end() - 1, len(conf)):
            depth += {"{": 1, "}": -1}.get(conf[end], 0)
            if depth == 0:
                break
        if not _LISTEN.search(conf[match.end() : end]):
            raise ValueError("every server {} needs a listen 127.0.0.1:PORT (default is *:80)")


def _q(path: Path) -> str:
    return '"' + str(path).replace("\\", "\\\\").replace('"', '\\"') + '"'


class NginxServer(Server):
    """nginx with a generated top-level config around the caller's ``http {}`` body."""

    def __init__(
        self, proc: subprocess.Popen[bytes], base_dir: Path, log: Path, ports: list[int]
    ) -> None:
        super().__init__(proc, base_dir, log)
        self.ports = ports
        self.conf_path = base_dir / "nginx.conf"

    @classmethod
    def start(
        cls, base_dir: Path, http_conf: str, *, ports: Sequence[int], timeout: float = 30.0
    ) -> NginxServer:
        base_dir = Path(base_dir).resolve()
        base_dir.mkdir(parents=True, exist_ok=True)
        conf_path = base_dir / "nginx.conf"
        conf_path.write_text(cls.render(base_dir, http_conf))
        for port in ports:
            ensure_port_free(port)
        log = base_dir / "nginx.log"
        proc = _spawn([*cls._cmd(base_dir)], log, cwd=base_dir)
        server = cls(proc, base_dir, log, list(ports))
        try:
            server._wait_serving(set(), timeout)
        except BaseException:
            server.stop()
            raise
        return server

    @staticmethod
    def _cmd(base_dir: Path) -> list[str]:
        nginx = _binary("nginx", "/usr/sbin/nginx", package="nginx-light")
        conf, log = base_dir / "nginx.conf", base_dir / "nginx.log"
        return [nginx, "-p", f"{base_dir}/", "-c", str(conf), "-e", str(log)]

    @staticmethod
    def render(base_dir: Path, http_conf: str) -> str:
        """The full nginx.conf: everything (pid, logs, temp files) lives in ``base_dir``."""
        _check_listens(http_conf)
        tmp = base_dir / "tmp"
        temps = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        for name in temps:
            (tmp / name).mkdir(parents=True, exist_ok=True)
        temp_lines = "\n".join(f"    {t}_temp_path {_q(tmp / t)};" for t in temps)
        user = "user root;\n" if _is_root() else ""  # workers must read root-only 0700 dirs
        return (
            "daemon off;\nmaster_process on;\nworker_processes 1;\n"
            f"worker_rlimit_nofile 8192;\n{user}"
            f"pid {_q(base_dir / 'nginx.pid')};\n"
            f"error_log {_q(base_dir / 'nginx.log')} notice;\n"
            "events { worker_connections 4096; }\n"
            "http {\n    access_log off;\n"
            f"{temp_lines}\n    include /etc/nginx/mime.types;\n"
            f"{http_conf}\n}}\n"
        )

    def _wait_serving(self, old_workers: set[int], timeout: float, log_offset: int = 0) -> None:
        """Wait for a new worker, for ``old_workers`` to stop accepting, and for every port."""
        deadline = time.monotonic() + timeout

        def switched() -> bool:
            with self.log.open("rb") as f:
                f.seek(log_offset)
                if b"[emerg]" in f.read():  # e.g. a reload that cannot bind its new port
                    raise _Fatal(f"nginx refused the config\n{self.log_tail()}")
            workers = _children(self.pid)
            # nginx retitles a worker just before it closes its listening sockets
            old_serving = [p for p in workers & old_workers if "shutting" not in _cmdline(p)]
            return bool(workers - old_workers) and not old_serving

        _wait_ready(self.proc, self.log, "nginx", switched, timeout)
        for port in self.ports:
            remaining = max(0.1, deadline - time.monotonic())
            wait_for_port(port, timeout=remaining, proc=self.proc, log=self.log)

    def reload(
        self, http_conf: str, *, ports: Sequence[int] | None = None, timeout: float = 30.0
    ) -> None:
        """Swap in a new ``http {}`` body: ``nginx -t``, SIGHUP, wait for the new worker."""
        old_conf = self.conf_path.read_text()
        self.conf_path.write_text(self.render(self.base_dir, http_conf))
        test = subprocess.run([*self._cmd(self.base_dir), "-t"], capture_output=True, text=True)
        if test.returncode != 0:
            self.conf_path.write_text(old_conf)
            raise RuntimeError(f"nginx -t rejected the new config:\n{test.stderr}")
        old_ports = self.ports
        if ports is not None:
            self.ports = list(ports)
        old_workers = _children(self.pid)
        log_offset = self.log.stat().st_size
        self.proc.send_signal(signal.SIGHUP)
        try:
            self._wait_serving(old_workers, timeout, log_offset)
        except RuntimeError:
            self.conf_path.write_text(old_conf)  # nginx keeps running the old config
            self.ports = old_ports
            raise


# --------------------------------------------------------------------------- DNS


class DnsServer(Server):
    """dnsmasq answering only for ``records``; every other name is NXDOMAIN."""

    def __init__(
        self,
        proc: subprocess.Popen[bytes],
        base_dir: Path,
        log: Path,
        port: int,
        records: dict[str, list[str]],
    ) -> None:
        super().__init__(proc, base_dir, log)
        self.port = port
        self.records = records

    @classmethod
    def start(
        cls,
        base_dir: Path,
        records: Mapping[str, Sequence[str]],
        *,
        port: int | None = None,
        ttl: int = 60,
        timeout: float = 30.0,
    ) -> DnsServer:
        """``records`` maps a name to its IPv4 and/or IPv6 addresses."""
        base_dir = Path(base_dir).resolve()
        base_dir.mkdir(parents=True, exist_ok=True)
        binary = _binary("dnsmasq", "/usr/sbin/dnsmasq", package="dnsmasq-base")
        log = base_dir / "dnsmasq.log"
        recs = {
            name: [str(ipaddress.ip_address(ip)) for ip in ips] for name, ips in records.items()
        }
        host_records = [f"--host-record={n},{ip}" for n, ips in recs.items() for ip in ips]

        def launch(p: int) -> DnsServer:
            ensure_port_free(p, udp=True)
            cmd = [binary, "--no-daemon", "--keep-in-foreground", "--conf-file=/dev/null"]
            cmd += [f"--port={p}", f"--listen-address={HOST}", "--bind-interfaces"]
            cmd += ["--no-resolv", "--no-hosts", "--no-poll", f"--local-ttl={ttl}"]
            cmd += ["--local=/#/"]  # never forward: unknown names get NXDOMAIN
            # -d already logs everything to stderr (which goes to ``log``); a separate
            # --log-facility file would only duplicate each line.
            cmd += ["--log-facility=-", *host_records]
            proc = _spawn(cmd, log)
            server = cls(proc, base_dir, log, p, recs)
            try:
                _wait_ready(proc, log, "dnsmasq", server._answers, timeout)
            except BaseException:
                server.stop()
                raise
            return server

        return _on_free_port(port, launch, udp=True)

    def _answers(self) -> bool:
        import dns.message
        import dns.query

        # dnsmasq also serves TCP on the port: a refused connect fails at once, where an
        # unanswered UDP query would only time out.
        socket.create_connection((HOST, self.port), timeout=1).close()
        name = next(iter(self.records), "devkit.invalid")
        dns.query.udp(dns.message.make_query(name, "A"), HOST, port=self.port, timeout=1)
        return True

    def resolver(self) -> dns.resolver.Resolver:
        """A ``dns.resolver.Resolver`` that asks only this server."""
        import dns.resolver

        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [HOST]
        resolver.port = self.port
        return resolver
