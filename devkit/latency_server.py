"""An HTTP server with a known latency schedule, to check what a load generator reports.

``GET /sleep?ms=N`` answers after N ms; requests that arrive while the stall is on (from
``stall_at`` seconds after the first request, for ``stall_for`` seconds) are all held until it
ends. So for a request sent on time at ``t`` the true latency is N ms plus what is left of the
stall at ``t``: a load test's percentiles can be compared with exact ones (see ``truth``).
It counts the requests that carried ``Authorization`` (``GET /seen``), never storing the value.

    python -m devkit.latency_server --port P [--stall-at 2 --stall-for 1]
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Self

from devkit.ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[1]


def truth(
    schedule: Sequence[tuple[float, float]], stall_at: float, stall_for: float
) -> list[float]:
    """Exact latencies (ms) of ``schedule`` = [(sent at s after the first, server ms), ...]."""
    end = stall_at + stall_for
    return [ms + (max(0.0, end - t) * 1000 if stall_at <= t < end else 0.0) for t, ms in schedule]


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank percentile, as HdrHistogram reports it."""
    ordered = sorted(values)
    rank = max(1, int(-(-p * len(ordered) // 100)))
    return ordered[min(rank, len(ordered)) - 1]


class _Protocol(asyncio.Protocol):
    def __init__(self, server: _State) -> None:
        self.state = server
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            head_end = self.buffer.find(b"\r\n\r\n")
            if head_end < 0:
                return
            head = self.buffer[:head_end].decode("latin-1")
            length = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
                if name.strip().lower() == "authorization":
                    self.state.authorized += 1
            if len(self.buffer) < head_end + 4 + length:
                return
            self.buffer = self.buffer[head_end + 4 + length :]
            target = head.split(" ", 2)[1]
            asyncio.get_running_loop().create_task(self.answer(target))

    async def answer(self, target: str) -> None:
        state, now = self.state, time.monotonic()
        if state.first is None:
            state.first = now
        body = b"ok"
        if target.startswith("/sleep"):
            ms = float(target.partition("ms=")[2] or 0)
            stall_start = state.first + state.stall_at
            wait = ms / 1000
            if state.stall_for and stall_start <= now < stall_start + state.stall_for:
                wait += stall_start + state.stall_for - now
            if wait > 0:
                await asyncio.sleep(wait)
        elif target == "/seen":
            body = str(state.authorized).encode()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(
                b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: text/plain\r\n\r\n%s"
                % (len(body), body)
            )


class _State:
    def __init__(self, stall_at: float, stall_for: float) -> None:
        self.stall_at, self.stall_for = stall_at, stall_for
        self.first: float | None = None
        self.authorized = 0


async def serve(port: int, stall_at: float, stall_for: float) -> None:
    state = _State(stall_at, stall_for)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Protocol(state), "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


class LatencyServer:
    """``with LatencyServer.start(folder, stall_at=2, stall_for=1) as s: s.url``"""

    def __init__(self, proc: subprocess.Popen[bytes], port: int) -> None:
        self.proc, self.port = proc, port
        self.url = f"http://127.0.0.1:{port}"

    @classmethod
    def start(cls, folder: Path, *, stall_at: float = 0.0, stall_for: float = 0.0) -> Self:
        port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / f"latency-{port}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "devkit.latency_server",
                    "--port",
                    str(port),
                    "--stall-at",
                    str(stall_at),
                    "--stall-for",
                    str(stall_for),
                ],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_port(port, timeout=30, proc=proc, log=log)
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        return cls(proc, port)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--stall-at", type=float, default=0.0)
    parser.add_argument("--stall-for", type=float, default=0.0)
    args = parser.parse_args(argv)
    with suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.stall_at, args.stall_for))


if __name__ == "__main__":
    main()
