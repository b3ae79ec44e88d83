"""Shared fixtures: real servers come from devkit; ``site`` is an nginx with fixed routes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest

from devkit.ports import free_port
from devkit.receivers import WebhookReceiver
from tests.devkit.serve import Serve

if TYPE_CHECKING:
    from devkit.pytest_plugin import NginxFactory

pytest_plugins = ["devkit.pytest_plugin", "pytester"]

SITE = """
server {{
    listen 127.0.0.1:{port};
    default_type application/json;
    location = /health {{ return 200 '{{"status": "healthy", "checks": {{"db": "ok"}}}}'; }}
    location = /down {{ return 503 '{{"status": "degraded"}}'; }}
    location = /text {{ default_type text/plain; return 200 'hello'; }}
    location = /moved {{ return 301 /health; }}
    location = /loop {{ return 302 /loop; }}
    location = /headers {{ add_header X-Frame-Options DENY; return 204; }}
    location = /echo-method {{ return 200 '{{"method": "$request_method"}}'; }}
}}
"""


@pytest.fixture
def site(nginx_factory: NginxFactory) -> str:
    """The base URL of an nginx with fixed routes (see ``SITE``)."""
    port = free_port()
    nginx_factory(SITE.format(port=port), ports=[port])
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    """A real webhook receiver on 127.0.0.1 (``devkit.receivers``), stopped after the test."""
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Real ``golive serve`` processes (tests/serve, tests/scale), stopped when the test
    ends, failed or not."""
    started = Serve()
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
async def silent_port() -> AsyncIterator[int]:
    """A target that accepts connections and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    yield server.sockets[0].getsockname()[1]
    for writer in held:
        writer.close()
    server.close()
    await server.wait_closed()


BROWSER_TESTS = "tests/browser/"


def _is_browser_test(item: pytest.Item) -> bool:
    return BROWSER_TESTS in str(item.path).replace("\\", "/")


@pytest.hookimpl(tryfirst=True)  # before xdist's, which reads the group marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last (pytest-randomly shuffles before this hook) and in one xdist group:
    Playwright's sync API keeps an event loop running in the main thread while it lives, so
    one worker owns Chromium and their ``golive``, and async tests must not start beside it
    (tests/browser's ``browser`` fixture stops Playwright when the package is done)."""
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.xdist_group("browser"))
    items.sort(key=_is_browser_test)
