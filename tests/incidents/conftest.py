"""A real SQLite store, a moving clock, real webhook receivers, and an on-call config."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from devkit.receivers import SmtpReceiver, WebhookReceiver
from golive.clock import ManualClock
from golive.config.root import ConfigBase
from golive.store import Store, normalise_url
from tests.devkit.notify import Alerts

MONDAY_9AM = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def oncall_config(hook: WebhookReceiver, *, repeat: int = 1, **extra: Any) -> ConfigBase:
    """Alice (on call in ``primary``) then Bob; critical and high alerts page ``default``."""
    return ConfigBase.model_validate(
        {
            "version": 1,
            "project": "parkwise",
            "server": {"public_url": "https://status.example.com"},
            "notify": {
                "channels": [{"name": "ops-hook", "url": hook.url("/ops")}],
                "routes": [
                    {
                        "match": {"severity": ["critical", "high"]},
                        "to": ["ops-hook"],
                        "escalation": "default",
                    },
                    {"match": {}, "to": ["ops-hook"]},
                ],
                "group_wait": "0s",
            },
            "oncall": {
                "people": [
                    {"name": "alice", "notify": [hook.url("/alice")]},
                    {"name": "bob", "notify": [hook.url("/bob")]},
                ],
                "schedules": [
                    {"name": "primary", "rotation": ["alice", "bob"], "start": "2026-01-05"}
                ],
                "escalation_policies": [
                    {
                        "name": "default",
                        "steps": [
                            {"notify": ["schedule:primary"], "wait": "5m"},
                            {"notify": ["person:bob", "channel:ops-hook"], "wait": "10m"},
                        ],
                        "repeat": repeat,
                    }
                ],
            },
            "incidents": {
                "open_on": ["critical", "high"],
                "severities": {
                    "SEV1": {"from": "critical", "respond_within": "5m"},
                    "SEV2": {"from": "high", "respond_within": "15m"},
                },
            },
            **extra,
        }
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(normalise_url("sqlite:///state/golive.db", tmp_path))
    yield opened
    opened.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY_9AM)


@pytest.fixture
def alerts(store: Store) -> Alerts:
    return Alerts(store)


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


@pytest.fixture
def config(webhook: WebhookReceiver) -> ConfigBase:
    return oncall_config(webhook)
