"""``/api/cluster``: who leads each leased role of a scaled golive (any replica answers)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from golive.scale.cluster import cluster_now
from golive.web.api.common import AUTH_ERRORS
from golive.web.auth import RuntimeDep, Viewer


class LeaderOut(BaseModel):
    role: str = Field(description="the lease's name: scheduler or evaluator")
    holder: str = Field(description="the process holding it: host:pid")
    epoch: int = Field(description="grows by one at each change of holder")
    expires_at: datetime = Field(description="when it lapses unless renewed")
    live: bool = Field(description="false once expired: a standby takes it at its next try")


class ClusterOut(BaseModel):
    leaders: list[LeaderOut]


def get_cluster(runtime: RuntimeDep, _: Viewer) -> ClusterOut:
    """The leases of the store: none on a single process (it takes no lease)."""
    found = cluster_now(runtime.store, runtime.clock.now())
    return ClusterOut(
        leaders=[
            LeaderOut(
                role=leader.role,
                holder=leader.holder,
                epoch=leader.epoch,
                expires_at=leader.expires_at,
                live=leader.live,
            )
            for leader in found.leaders
        ]
    )


def build() -> APIRouter:
    router = APIRouter(prefix="/api/cluster", tags=["cluster"], responses=AUTH_ERRORS)
    router.add_api_route("", get_cluster, methods=["GET"], response_model=ClusterOut)
    return router
