"""Running `golive serve` as a process: logging, signals (SIGTERM/SIGINT stop, SIGHUP reloads),
and a pid file beside the store so that `golive reload` can find the server."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections.abc import Callable, Mapping
from pathlib import Path

from golive.clock import SystemClock
from golive.config import LoadedConfig, load_config
from golive.engine.once import open_store
from golive.exceptions import ConfigError
from golive.serve.runtime import ReloadOutcome, ServeRuntime

log = logging.getLogger("golive.serve")


def pid_file(loaded: LoadedConfig) -> Path:
    return loaded.base_dir / ".golive" / "serve.pid"


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-5s %(message)s")
    for noisy in ("alembic", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def reloader(
    runtime: ServeRuntime, environ: Mapping[str, str]
) -> Callable[[], asyncio.Future[ReloadOutcome]]:
    """A function that re-reads the config file and switches to it only if it is valid."""

    async def reload() -> ReloadOutcome:
        current = runtime.loaded
        try:
            fresh = load_config(current.path, environ=environ, env=current.environment)
        except ConfigError as exc:
            message = f"reload refused, still running the previous config: {exc.issues[0]}"
            if len(exc.issues) > 1:
                message += f" (and {len(exc.issues) - 1} more)"
            log.error("%s", message)
            return ReloadOutcome(False, message)
        return await runtime.reload(fresh)

    return lambda: asyncio.ensure_future(reload())


async def serve(
    loaded: LoadedConfig, environ: Mapping[str, str], *, concurrency: int = 500
) -> None:
    """Run until SIGTERM or SIGINT."""
    store = await asyncio.to_thread(open_store, loaded)
    runtime = ServeRuntime(loaded, store=store, clock=SystemClock(), concurrency=concurrency)
    loop = asyncio.get_running_loop()
    reload = reloader(runtime, environ)
    loop.add_signal_handler(signal.SIGHUP, reload)
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, runtime.stop)
    pid = pid_file(loaded)
    pid.parent.mkdir(parents=True, exist_ok=True)
    pid.write_text(f"{os.getpid()}\n")
    log.info(
        "golive serve: %d checks, environment %s", len(loaded.config.checks), loaded.environment
    )
    try:
        await runtime.run()
    finally:
        pid.unlink(missing_ok=True)
        store.close()
        log.info("golive serve stopped")
