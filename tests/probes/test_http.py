"""The HTTP probe against a real nginx."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from devkit.ports import free_port
from golive.engine.run import http_session
from golive.probes.base import ProbeContext, ProbeError
from golive.probes.http import MAX_BODY_BYTES, HttpSpec, run
from tests.devkit.pieces import pieces_server


async def probe(**spec: Any) -> dict[str, Any]:
    async with http_session(4) as session:
        return await run(HttpSpec(**spec), ProbeContext(timeout=5, http=session))


async def test_it_reads_status_headers_and_json(site: str) -> None:
    fields = await probe(url=f"{site}/health")
    assert fields["status"] == 200
    assert fields["json"] == {"status": "healthy", "checks": {"db": "ok"}}
    assert fields["headers"]["content-type"] == "application/json"
    assert fields["size"] == len(fields["body"].encode())
    assert fields["redirects"] == 0
    assert fields["final_url"] == f"{site}/health"
    assert fields["latency_ms"] > 0


async def test_an_error_status_is_a_measurement_not_an_error(site: str) -> None:
    fields = await probe(url=f"{site}/down")
    assert fields["status"] == 503
    assert fields["json"] == {"status": "degraded"}


async def test_a_text_body_has_no_json(site: str) -> None:
    fields = await probe(url=f"{site}/text")
    assert fields["body"] == "hello"
    assert fields["json"] is None


async def test_redirects_are_reported_not_followed_by_default(site: str) -> None:
    fields = await probe(url=f"{site}/moved")
    assert fields["status"] == 301
    assert fields["headers"]["location"].endswith("/health")


async def test_redirects_are_followed_when_asked(site: str) -> None:
    fields = await probe(url=f"{site}/moved", follow_redirects=True)
    assert fields["status"] == 200
    assert fields["redirects"] == 1
    assert fields["final_url"] == f"{site}/health"


async def test_a_redirect_loop_is_an_error(site: str) -> None:
    with pytest.raises(ProbeError, match="more than 3 redirects"):
        await probe(url=f"{site}/loop", follow_redirects=True, max_redirects=3)


async def test_header_names_are_lower_case(site: str) -> None:
    fields = await probe(url=f"{site}/headers")
    assert fields["status"] == 204
    assert fields["headers"]["x-frame-options"] == "DENY"


async def test_the_method_is_sent(site: str) -> None:
    fields = await probe(url=f"{site}/echo-method", method="POST", json={"a": 1})
    assert fields["json"] == {"method": "POST"}


async def test_a_closed_port_is_connection_refused() -> None:
    port = free_port()
    with pytest.raises(ProbeError, match=f"cannot connect to 127.0.0.1:{port}: connection refused"):
        await probe(url=f"http://127.0.0.1:{port}/")


async def test_a_server_that_never_answers_is_cut_by_the_timeout(silent_port: int) -> None:
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await probe(url=f"http://127.0.0.1:{silent_port}/")


async def test_a_body_sent_in_two_writes_is_read_whole() -> None:
    async with pieces_server([b'{"status": ', b'"healthy"}'], pause=0.2) as url:
        fields = await probe(url=f"{url}/health")
    assert fields["json"] == {"status": "healthy"}
    assert fields["body_truncated"] is False


async def test_a_large_body_sent_in_pieces_is_read_to_the_end() -> None:
    pieces = [bytes([65 + i]) * 16 * 1024 for i in range(20)]  # 320 KiB in 16 KiB pieces
    async with pieces_server(pieces, pause=0.005, content_type="text/plain") as url:
        fields = await probe(url=url)
    assert fields["size"] == 20 * 16 * 1024
    assert fields["body"] == b"".join(pieces).decode()
    assert fields["body_truncated"] is False


async def test_a_body_over_the_cap_is_cut_at_the_cap_and_says_so() -> None:
    pieces = [b"x" * 256 * 1024] * 4 + [b"y" * 10]  # 1 MiB and 10 bytes more
    async with pieces_server(pieces, pause=0.005, content_type="text/plain") as url:
        fields = await probe(url=url)
    assert fields["size"] == MAX_BODY_BYTES
    assert fields["body"] == "x" * MAX_BODY_BYTES
    assert fields["body_truncated"] is True
