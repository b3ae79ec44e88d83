"""haproxy: weights and drain over the runtime API (its admin socket), never a reload. The
backend's servers are declared in haproxy's config; a server is found by its HOST:PORT."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from golive.config.ship import HaproxyTraffic, Rollout
from golive.rollout.drivers import TrafficError

RETRIES = 3


def make(rollout: Rollout) -> HaproxyDriver | None:
    traffic = rollout.traffic.haproxy
    return None if traffic is None else HaproxyDriver(traffic)


class HaproxyDriver:
    name = "haproxy"

    def __init__(self, traffic: HaproxyTraffic) -> None:
        self.traffic = traffic

    async def command(self, line: str) -> str:
        """One runtime API command; a socket that is gone is retried, then a TrafficError."""
        last: OSError | None = None
        for attempt in range(RETRIES):
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_unix_connection(self.traffic.socket), 5
                )
                writer.write(line.encode() + b"\n")
                await writer.drain()
                answer = await asyncio.wait_for(reader.read(), 5)
                writer.close()
                return answer.decode(errors="replace")
            except (OSError, TimeoutError) as exc:
                last = exc if isinstance(exc, OSError) else OSError(str(exc) or "timed out")
                await asyncio.sleep(0.2 * (attempt + 1))
        raise TrafficError(
            f"haproxy's admin socket {self.traffic.socket} does not answer: {last}"
        ) from last

    async def servers(self) -> dict[str, str]:
        """HOST:PORT → server name in the backend."""
        text = await self.command(f"show servers state {self.traffic.backend}")
        found = {}
        for line in text.splitlines():
            parts = line.split()
            if len(parts) > 18 and parts[1] == self.traffic.backend:
                found[f"{parts[4]}:{parts[18]}"] = parts[3]
        if not found:
            raise TrafficError(f"haproxy has no backend {self.traffic.backend!r}: {text.strip()}")
        return found

    async def apply(self, weights: Mapping[str, int]) -> None:
        names = await self.servers()
        missing = [addr for addr in weights if addr not in names]
        if missing:
            raise TrafficError(
                f"haproxy backend {self.traffic.backend} has no server at {', '.join(missing)}"
                f" (it has {', '.join(sorted(names))})"
            )
        backend = self.traffic.backend
        # raise the new weights before lowering the old ones: the pool never goes empty
        for addr, weight in sorted(weights.items(), key=lambda item: -item[1]):
            server = f"{backend}/{names[addr]}"
            if weight > 0:
                for line in (f"set server {server} state ready", f"set weight {server} {weight}"):
                    await self._ok(line)
            else:  # weight 0 takes no new requests; drain lets the open ones finish
                state = "drain" if weight == 0 else "maint"  # maint: REMOVED, off the pool
                for line in (f"set weight {server} 0", f"set server {server} state {state}"):
                    await self._ok(line)

    async def _ok(self, line: str) -> None:
        answer = (await self.command(line)).strip()
        if answer:
            raise TrafficError(f"haproxy refused `{line}`: {answer}")
