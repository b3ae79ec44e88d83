"""The API socket of `golive serve`: its connections send each answer at once (TCP_NODELAY)."""

from __future__ import annotations

import asyncio
import socket

from devkit.ports import free_port
from golive.serve.process import _listen


async def test_each_connection_sends_without_waiting_for_the_clients_delayed_ack() -> None:
    # Without TCP_NODELAY an answer's body, written after its headers, waited ~40 ms for the
    # client's delayed ACK (Nagle); asyncio sets it only on sockets that say IPPROTO_TCP.
    port = free_port()
    listener = _listen("127.0.0.1", port)
    nodelay: list[int] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        sock = writer.get_extra_info("socket")
        nodelay.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(answer, sock=listener)
    async with server:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await reader.read() == b""  # closed by the server once it has looked
        writer.close()
    assert nodelay and nodelay[0] != 0
