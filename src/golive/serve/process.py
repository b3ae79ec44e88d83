"""Running `golive serve` as a process: logging, signals (SIGTERM/SIGINT stop, SIGHUP reloads),
and a pid file beside the store so that `golive reload` can find the server."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
from collections.abc import Iterator, Mapping
from pathlib import Path

import uvicorn

from golive.clock import SystemClock
from golive.config import LoadedConfig
from golive.engine.once import open_store
from golive.exceptions import GoliveError
from golive.probes.base import os_reason
from golive.serve.runtime import ServeRuntime
from golive.store.outbox import release_leases
from golive.web import create_app
from golive.web.app import warm_up

log = logging.getLogger("golive.serve")


class _WebServer(uvicorn.Server):
    """uvicorn without its own signal handling: SIGTERM/SIGINT/SIGHUP are golive's (below)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _listen(host: str, port: int) -> socket.socket:
    """Bind the API socket first, so a busy port is a clear error before anything starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise GoliveError(
            f"cannot listen on {host}:{port} (server.listen): {os_reason(exc)}"
        ) from exc
    sock.listen(512)
    sock.set_inheritable(True)
    return sock


def _refuse_a_second_server(pid: Path) -> None:
    try:
        other = int(pid.read_text().strip())
        command = Path(f"/proc/{other}/cmdline").read_bytes()
    except (OSError, ValueError):
        return  # no pid file, or its process is gone
    if b"golive" not in command:
        return  # the pid was reused by something else
    raise GoliveError(f"golive serve is already running with this config (pid {other}, {pid})")


def _tls_file(loaded: LoadedConfig, which: str) -> str | None:
    """``server.tls.cert`` / ``.key`` as a path beside the config, or None for plain HTTP."""
    tls = loaded.config.server.tls
    return None if tls is None else str(loaded.relative(getattr(tls, which)))


def pid_file(loaded: LoadedConfig) -> Path:
    return loaded.base_dir / ".golive" / "serve.pid"


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-5s %(message)s")
    for noisy in ("alembic", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


async def serve(
    loaded: LoadedConfig, environ: Mapping[str, str], *, concurrency: int = 500
) -> None:
    """Run until SIGTERM or SIGINT."""
    pid = pid_file(loaded)
    _refuse_a_second_server(pid)
    listener = _listen(loaded.config.server.host, loaded.config.server.port)
    store = await asyncio.to_thread(open_store, loaded)
    if store.engine.dialect.name == "sqlite":  # alone on this store: earlier leases are ours
        released = await asyncio.to_thread(release_leases, store, SystemClock().now())
        if released:
            log.warning("resending %d notifications interrupted by a previous stop", released)
    runtime = ServeRuntime(
        loaded, store=store, clock=SystemClock(), environ=environ, concurrency=concurrency
    )
    app = create_app(runtime)
    web = _WebServer(
        uvicorn.Config(
            app,
            host=loaded.config.server.host,
            port=loaded.config.server.port,
            log_config=None,
            access_log=False,
            lifespan="off",
            server_header=False,
            ssl_certfile=_tls_file(loaded, "cert"),
            ssl_keyfile=_tls_file(loaded, "key"),
        )
    )
    # What is loaded by now lives as long as the process: keep it out of the collector's way
    # (full collections otherwise rescan it and pause the loop for 0.3-0.6 s at 10,000 checks).
    gc.freeze()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(runtime.reload()))

    def stop() -> None:
        runtime.stop()
        web.should_exit = True

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    pid.parent.mkdir(parents=True, exist_ok=True)
    pid.write_text(f"{os.getpid()}\n")
    log.info(
        "golive serve: %d checks, environment %s, API on %s://%s",
        len(loaded.config.checks),
        loaded.environment,
        "https" if loaded.config.server.tls else "http",
        loaded.config.server.listen,
    )
    warming = asyncio.create_task(asyncio.to_thread(warm_up, app), name="warm-up")
    try:
        await asyncio.gather(runtime.run(), web.serve(sockets=[listener]))
    finally:
        await warming  # a thread cannot be cancelled: let it finish before the store closes
        pid.unlink(missing_ok=True)
        store.close()
        log.info("golive serve stopped")
