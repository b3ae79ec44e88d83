"""``/api/cluster``: who leads each leased role of a scaled golive, and each region's workers
(any replica answers the same: it is read from the store)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from golive.scale.cluster import cluster_now
from golive.scale.regions import summary
from golive.store.scale import list_workers
from golive.web.api.common import AUTH_ERRORS
from golive.web.auth import RuntimeDep, Viewer


class LeaderOut(BaseModel):
    role: str = Field(description="the lease's name: scheduler or evaluator")
    holder: str = Field(description="the process holding it: host:pid")
    epoch: int = Field(description="grows by one at each change of holder")
    expires_at: datetime = Field(description="when it lapses unless renewed")
    live: bool = Field(description="false once expired: a standby takes it at its next try")


class WorkerOut(BaseModel):
    name: str = Field(description="the worker's name: region@host:pid")
    pid: int
    concurrency: int
    started_at: datetime
    seen_at: datetime = Field(description="its last heartbeat")
    alive: bool = Field(description="false once it missed three heartbeats")
    runs: int = Field(description="probes run since it started")
    failures: int = Field(description="probes that failed since it started")


class RegionOut(BaseModel):
    region: str
    alive: int = Field(description="how many of its workers are alive")
    workers: list[WorkerOut]


class ClusterOut(BaseModel):
    leaders: list[LeaderOut]
    regions: list[RegionOut]


def get_cluster(runtime: RuntimeDep, _: Viewer) -> ClusterOut:
    """The leases of the store (none on a single process: it takes no lease) and each region of
    ``workers:`` with its workers, as `golive status` shows them."""
    now = runtime.clock.now()
    found = cluster_now(runtime.store, now)
    regions = runtime.loaded.config.workers.regions
    beats = list_workers(runtime.store) if regions else []
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
        ],
        regions=[RegionOut.model_validate(region) for region in summary(beats, regions, now)],
    )


def build() -> APIRouter:
    router = APIRouter(prefix="/api/cluster", tags=["cluster"], responses=AUTH_ERRORS)
    router.add_api_route("", get_cluster, methods=["GET"], response_model=ClusterOut)
    return router
