"""Rollout records: one rollout's persisted state and the events of its deployment record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ACTIVE = ("pending", "smoke", "step")
FINISHED = ("promoted", "rolled_back", "aborted")


@dataclass(frozen=True)
class RolloutView:
    """A rollout as stored: ``state`` is pending → smoke → step → promoted | rolled_back |
    aborted; ``step`` indexes the strategy's steps; ``request`` is what a person asked of the
    service (promote, abort); ``rev`` grows on each write (a write names the rev it read)."""

    id: int
    name: str
    strategy: str
    state: str
    version: str
    commit: str | None
    targets: tuple[str, ...]
    stable: tuple[str, ...]
    step: int
    percent: int
    paused: bool
    request: str | None
    started_at: datetime
    step_started_at: datetime | None
    updated_at: datetime
    finished_at: datetime | None
    reason: str
    log_offset: int
    rev: int

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


@dataclass(frozen=True)
class RolloutEvent:
    """One line of a deployment record: a step, a judgement, a hook's output, a rollback."""

    rollout_id: int
    at: datetime
    kind: str
    message: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Notice:
    """What a rollout event tells its channels: one outbox row per channel, written with the
    event; ``notify_type`` is Apprise's (info, success, warning, failure)."""

    channels: tuple[str, ...]
    title: str
    body: str
    notify_type: str
    group_key: str  # rows of one rollout share it: delivery keeps them in order per channel
