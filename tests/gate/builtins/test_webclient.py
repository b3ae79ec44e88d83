"""The gate's web client reads a whole body, however it is sent, up to its cap."""

from __future__ import annotations

from golive.gate.builtins.webclient import MAX_BODY_BYTES, fetch, web_session
from tests.devkit.pieces import pieces_server


async def test_a_body_sent_in_pieces_is_read_whole() -> None:
    pieces = [b"<p>" + bytes([65 + i]) * 16 * 1024 + b"</p>" for i in range(20)]
    async with (
        pieces_server(pieces, pause=0.005, content_type="text/html") as url,
        web_session(5) as session,
    ):
        answer = await fetch(session, url, tls=True, read_body=True)
    assert answer.body == b"".join(pieces).decode()
    assert answer.body_truncated is False


async def test_a_body_over_the_cap_is_cut_and_says_so() -> None:
    pieces = [b"x" * 256 * 1024] * 4 + [b"y"]
    async with (
        pieces_server(pieces, pause=0.005, content_type="text/html") as url,
        web_session(5) as session,
    ):
        answer = await fetch(session, url, tls=True, read_body=True)
    assert answer.body == "x" * MAX_BODY_BYTES
    assert answer.body_truncated is True
