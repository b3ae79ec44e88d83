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
from collections.abc import Coroutine, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

import uvicorn
from fastapi import FastAPI

from golive.clock import SystemClock
from golive.config import LoadedConfig
from golive.engine.once import open_store
from golive.exceptions import GoliveError
from golive.probes.base import os_reason
from golive.scale.regions import SQLITE_WITH_WORKERS
from golive.serve.roles import DEFAULT_TTL, Role, Wiring, wiring
from golive.serve.runtime import ServeRuntime
from golive.serve.scaled import Cluster, LeadingMetrics
from golive.serve.web_role import WebRuntime, budgets_url
from golive.store import Store
from golive.store.db import normalise_url
from golive.store.outbox import release_leases
from golive.web import create_app
from golive.web.app import warm_up
from golive.web.shared_budgets import RedisBudgets

log = logging.getLogger("golive.serve")


class _WebServer(uvicorn.Server):
    """uvicorn without its own signal handling: SIGTERM/SIGINT/SIGHUP are golive's (below)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _listen(host: str, port: int) -> socket.socket:
    """Bind the API socket first, so a busy port is a clear error before anything starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on a connection whose socket says
    # so (proto 0 is skipped), and without it each answer's body, written after its headers,
    # waited for the client's delayed ACK: 40 ms an answer on Linux
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
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


def _live_server(pid: Path) -> int | None:
    """The pid in the pid file ``pid`` while a golive process runs under it, else None."""
    try:
        other = int(pid.read_text().strip())
        command = Path(f"/proc/{other}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None  # no pid file, or its process is gone
    return other if b"golive" in command else None  # else the pid was reused by something else


def _refuse_a_second_server(pid: Path) -> None:
    other = _live_server(pid)
    if other is not None:
        raise GoliveError(f"golive serve is already running with this config (pid {other}, {pid})")


def running_servers(loaded: LoadedConfig) -> list[int]:
    """Every live `golive serve` started from this config's folder (each writes its pid file
    there: ``serve.pid``, ``serve-web-PORT.pid``, ``serve-PID.pid`` for a leased one)."""
    files = sorted((loaded.base_dir / ".golive").glob("serve*.pid"))
    return [pid for pid in map(_live_server, files) if pid is not None]


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


def _web_server(app: FastAPI, loaded: LoadedConfig) -> _WebServer:
    return _WebServer(
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


class _Stoppable(Protocol):
    def stop(self) -> None: ...

    async def reload(self) -> object: ...


def _handle_signals(web: _WebServer | None, *parts: _Stoppable) -> None:
    """SIGHUP reloads each part; SIGTERM and SIGINT stop them and the web server."""
    loop = asyncio.get_running_loop()
    reloading: set[asyncio.Future[object]] = set()  # kept until done (the loop holds weak refs)

    def reload() -> None:
        for part in parts:
            task = asyncio.ensure_future(part.reload())
            reloading.add(task)
            task.add_done_callback(reloading.discard)

    def stop() -> None:
        for part in parts:
            part.stop()
        if web is not None:
            web.should_exit = True

    loop.add_signal_handler(signal.SIGHUP, reload)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)


async def serve(
    loaded: LoadedConfig,
    environ: Mapping[str, str],
    *,
    concurrency: int = 500,
    role: Role = "all",
    lease_ttl: timedelta = DEFAULT_TTL,
) -> None:
    """Run ``role`` until SIGTERM or SIGINT: on SQLite today's single process; on a shared
    PostgreSQL store the web (``all``, ``web``) and the parts ``role`` leads while it holds
    their leases (``all``, ``scheduler``, ``evaluator``; see ``roles.wiring``)."""
    url = normalise_url(loaded.config.store, loaded.base_dir)
    wired = wiring(loaded, dialect=url.partition(":")[0].partition("+")[0], role=role)
    if role == "web":
        await serve_web(loaded, environ)
        return
    if not wired.single:
        await _serve_scaled(loaded, environ, wired, concurrency=concurrency, ttl=lease_ttl)
        return
    pid = pid_file(loaded)
    _refuse_a_second_server(pid)
    listener = _listen(loaded.config.server.host, loaded.config.server.port)
    store = await asyncio.to_thread(open_store, loaded)
    if loaded.config.workers.probing and store.engine.dialect.name == "sqlite":
        store.close()
        raise GoliveError(SQLITE_WITH_WORKERS)
    if store.engine.dialect.name == "sqlite":  # alone on this store: earlier leases are ours
        released = await asyncio.to_thread(release_leases, store, SystemClock().now())
        if released:
            log.warning("resending %d notifications interrupted by a previous stop", released)
    runtime = ServeRuntime(
        loaded, store=store, clock=SystemClock(), environ=environ, concurrency=concurrency
    )
    app = create_app(runtime)
    web = _web_server(app, loaded)
    # What is loaded by now lives as long as the process: keep it out of the collector's way
    # (full collections otherwise rescan it and pause the loop for 0.3-0.6 s at 10,000 checks).
    gc.freeze()
    _handle_signals(web, runtime)
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


async def serve_web(loaded: LoadedConfig, environ: Mapping[str, str]) -> None:
    """`golive serve --role web`: uvicorn over a ``WebRuntime``; no engine, services or
    delivery. Several run side by side (one pid file per port), over one shared store."""
    pid = loaded.base_dir / ".golive" / f"serve-web-{loaded.config.server.port}.pid"
    _refuse_a_second_server(pid)
    listener = _listen(loaded.config.server.host, loaded.config.server.port)
    store = await asyncio.to_thread(open_store, loaded)
    runtime, budgets, web = _web_replica(loaded, environ, store, role="web")
    _handle_signals(web, runtime)
    running = [runtime.run(), web.serve(sockets=[listener])]
    await _serving(running, pid=pid, store=store, budgets=budgets, name="golive serve --role web")


async def _serving(
    running: list[Coroutine[Any, Any, Any]],
    *,
    pid: Path,
    store: Store,
    budgets: RedisBudgets | None,
    name: str,
) -> None:
    """A replica's life: its ``pid`` file written while ``running`` run; when they return (or
    fail), its Redis ``budgets`` closed, the pid file removed, the store closed, ``name`` logged
    as stopped."""
    try:
        with _pid_file(pid):
            try:
                await asyncio.gather(*running)
            finally:
                if budgets is not None:
                    await budgets.close()
    finally:
        store.close()
        log.info("%s stopped", name)


@contextlib.contextmanager
def _pid_file(pid: Path) -> Iterator[None]:
    """``pid`` holds this process's id for as long as the block runs (`golive reload` reads it)."""
    pid.parent.mkdir(parents=True, exist_ok=True)
    pid.write_text(f"{os.getpid()}\n")
    try:
        yield
    finally:
        pid.unlink(missing_ok=True)


def _web_replica(
    loaded: LoadedConfig, environ: Mapping[str, str], store: Store, *, role: Role
) -> tuple[WebRuntime, RedisBudgets | None, _WebServer]:
    """The web of a replica: the app over a ``WebRuntime`` read from the store, with its
    rate-limit budgets in Redis when one is configured."""
    clock = SystemClock()
    runtime = WebRuntime(loaded, store=store, clock=clock, environ=environ)
    url = budgets_url(loaded)
    budgets: RedisBudgets | None = None
    if url is None:
        log.warning(
            "rate limits: no Redis configured (server.rate_limits.shared, workers.broker): "
            "each web replica counts its own budgets"
        )
    else:
        budgets = RedisBudgets(
            url, clock=clock, on_error=lambda error: runtime.rate_limit_errors.labels(error).inc()
        )
    web = _web_server(create_app(runtime, budgets=budgets), loaded)
    log.info(
        "golive serve --role %s: %d checks, API on %s://%s, rate limits %s",
        role,
        len(loaded.config.checks),
        "https" if loaded.config.server.tls else "http",
        loaded.config.server.listen,
        "shared in Redis" if budgets is not None else "per replica",
    )
    return runtime, budgets, web


async def _serve_scaled(
    loaded: LoadedConfig,
    environ: Mapping[str, str],
    wired: Wiring,
    *,
    concurrency: int,
    ttl: timedelta,
) -> None:
    """Several processes on one PostgreSQL store: the web of a replica (``all``) beside the
    parts this process leads while it holds their leases. Its pid file is named by its pid, so
    replicas can run from one folder; `golive reload` signals every live one."""
    listener = _listen(loaded.config.server.host, loaded.config.server.port) if wired.web else None
    store = await asyncio.to_thread(open_store, loaded)
    cluster = Cluster(loaded, wired, store=store, environ=environ, ttl=ttl, concurrency=concurrency)
    pid = loaded.base_dir / ".golive" / f"serve-{os.getpid()}.pid"  # replicas may share a folder
    running = [cluster.run()]
    budgets: RedisBudgets | None = None
    if listener is None:
        _handle_signals(None, cluster)
    else:
        runtime, budgets, web = _web_replica(loaded, environ, store, role="all")
        runtime.metrics_registry.register(LeadingMetrics(cluster))  # /metrics: what it leads
        _handle_signals(web, cluster, runtime)
        running += [runtime.run(), web.serve(sockets=[listener])]
    gc.freeze()
    await _serving(running, pid=pid, store=store, budgets=budgets, name="golive serve")
