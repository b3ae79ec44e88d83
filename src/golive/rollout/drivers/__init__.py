"""Traffic drivers: one module per balancer, one registry. A driver sets the pool's weights
(``{"HOST:PORT": weight}``, 0 = no new requests but kept on the balancer, ``REMOVED`` = off
the balancer) and raises ``TrafficError`` when it cannot."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from golive.config.ship import Rollout
from golive.exceptions import GoliveError

REMOVED = -1  # blue-green's old pool once keep_old is over


class TrafficError(GoliveError):
    """The balancer refused or could not be reached; the message says which and why."""


class Driver(Protocol):
    name: str

    async def apply(self, weights: Mapping[str, int]) -> None: ...


Make = Callable[[Rollout], "Driver | None"]


def registry() -> dict[str, Make]:
    """Driver kind → factory (None when the rollout's ``traffic:`` is another kind)."""
    from golive.rollout.drivers import command, haproxy, nginx

    return {"nginx": nginx.make, "haproxy": haproxy.make, "command": command.make}


def driver_for(rollout: Rollout, makers: Mapping[str, Make] | None = None) -> Driver:
    for make in (makers or registry()).values():
        if (driver := make(rollout)) is not None:
            return driver
    raise TrafficError(f"rollout {rollout.name}: no traffic driver for its traffic: section")


def split(stable: list[str], new: list[str], percent: int) -> dict[str, int]:
    """Weights that send ``percent`` of requests to ``new`` and the rest to ``stable``."""
    if percent <= 0 or not new:
        return {addr: 1 for addr in stable} | {addr: 0 for addr in new if addr not in stable}
    if percent >= 100 or not stable:
        return {addr: 0 for addr in stable} | {addr: 1 for addr in new}
    each_new, each_stable = percent * len(stable), (100 - percent) * len(new)
    from math import gcd

    common = gcd(each_new, each_stable)
    return {a: each_stable // common for a in stable} | {a: each_new // common for a in new}
