"""``python -m parkwise``: serve the app with uvicorn; SIGTERM/SIGINT shut down gracefully."""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType

import uvicorn

from parkwise.app import create_app
from parkwise.settings import Settings, SettingsError

log = logging.getLogger("parkwise")

EXIT_BAD_CONFIG = 2
EXIT_STARTUP_FAILED = 3


def main() -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        log.error("invalid configuration: %s", exc)
        return EXIT_BAD_CONFIG
    if settings.debug:
        logging.getLogger().setLevel(logging.DEBUG)
    app = create_app(settings)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            access_log=False,
            log_config=None,  # keep the format configured above
            log_level="debug" if settings.debug else "warning",
            timeout_graceful_shutdown=10,
        )
    )
    log.info(
        "parkwise %s starting on http://%s:%d (db=%s, redis=%s)",
        settings.version,
        settings.host,
        settings.port,
        settings.db_kind,
        "on" if settings.redis_url else "off",
    )
    # uvicorn re-raises the signal that stopped it once it has shut down; these
    # handlers swallow it so that a graceful SIGTERM/SIGINT stop exits with status 0.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _after_graceful_stop)
    server.run()
    return 0 if server.started else EXIT_STARTUP_FAILED


def _after_graceful_stop(signum: int, frame: FrameType | None) -> None:
    log.info("shut down after signal %d", signum)


if __name__ == "__main__":
    sys.exit(main())
