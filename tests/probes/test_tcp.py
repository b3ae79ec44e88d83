"""The TCP probe against a real listening socket."""

from __future__ import annotations

import asyncio

import pytest

from devkit.ports import free_port
from golive.probes.base import ProbeContext, ProbeError
from golive.probes.tcp import TcpSpec, run


async def test_an_open_port_connects() -> None:
    server = await asyncio.start_server(lambda r, w: w.close(), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        assert await run(TcpSpec(host="127.0.0.1", port=port), ProbeContext(timeout=2)) == {}
    finally:
        server.close()
        await server.wait_closed()


async def test_a_closed_port_is_refused() -> None:
    port = free_port()
    with pytest.raises(ProbeError, match="connection refused"):
        await run(TcpSpec(host="127.0.0.1", port=port), ProbeContext(timeout=2))
