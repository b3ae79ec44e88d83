"""command: a user script sets the weights of any other balancer (JSON ``{"HOST:PORT": weight}`` on stdin)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping

from golive.config.ship import CommandTraffic, Rollout
from golive.rollout.drivers import TrafficError


def make(rollout: Rollout) -> CommandDriver | None:
    traffic = rollout.traffic.command
    return None if traffic is None else CommandDriver(traffic)


class CommandDriver:
    name = "command"

    def __init__(self, traffic: CommandTraffic) -> None:
        self.traffic = traffic

    async def apply(self, weights: Mapping[str, int]) -> None:
        proc = await asyncio.create_subprocess_shell(
            self.traffic.set,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        timeout = self.traffic.timeout.total_seconds()
        try:
            out, _ = await asyncio.wait_for(
                proc.communicate(json.dumps(dict(weights)).encode()), timeout
            )
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise TrafficError(f"`{self.traffic.set}` timed out after {timeout:.0f}s") from None
        if proc.returncode != 0:
            tail = " | ".join(out.decode(errors="replace").strip().splitlines()[-3:])
            raise TrafficError(f"`{self.traffic.set}` exited {proc.returncode}: {tail}")
