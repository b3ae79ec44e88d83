"""The cluster now, as `golive status` and ``/api/cluster`` show it: who leads each leased role
(holder, epoch, until when) — read from the store, so any replica answers the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from golive.store import Store
from golive.store.leases import leases


@dataclass(frozen=True)
class Leader:
    """A leased role's lease as stored: ``live`` while it has not expired (a lapsed one shows
    who led last; a standby takes it at its next try)."""

    role: str
    holder: str
    epoch: int
    expires_at: datetime
    live: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "holder": self.holder,
            "epoch": self.epoch,
            "expires_at": self.expires_at.isoformat(),
            "live": self.live,
        }


@dataclass(frozen=True)
class ClusterNow:
    """The leaders of a store's roles (none on a single process: it takes no lease)."""

    leaders: tuple[Leader, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"leaders": [leader.as_dict() for leader in self.leaders]}


def cluster_now(store: Store, now: datetime) -> ClusterNow:
    """Every lease the store has, live or lapsed at ``now``."""
    return ClusterNow(
        tuple(
            Leader(held.name, held.holder, held.epoch, held.expires_at, held.expires_at > now)
            for held in leases(store)
        )
    )
