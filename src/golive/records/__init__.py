"""Records: the plain values every layer passes around (evidence, check status, rollup buckets,
alert / silence / event views, alert payloads). Imports nothing from golive above
``clock`` / ``exceptions``, so any package may import it without pulling in a driver."""

from golive.records.alerts import (
    ACTIVE_STATES,
    AlertState,
    AlertView,
    Evaluation,
    EventView,
    SilenceView,
    Transition,
    TransitionKind,
)
from golive.records.backups import DRILL_EVIDENCE, BackupEntry, BackupFile, BackupState
from golive.records.checks import LATENCY_BOUNDS_MS, Bucket, CheckStatus, State
from golive.records.evidence import EvidenceRecord, RunSummary
from golive.records.heartbeats import HeartbeatState, Ping, PingKind
from golive.records.histogram import BucketError, Histogram
from golive.records.payload import AlertPayload, parse_time
from golive.records.requests import RequestMinute, RequestWindow, SourceHealth, label_key
from golive.records.signals import Signal

__all__ = [
    "ACTIVE_STATES",
    "DRILL_EVIDENCE",
    "LATENCY_BOUNDS_MS",
    "AlertPayload",
    "AlertState",
    "AlertView",
    "BackupEntry",
    "BackupFile",
    "BackupState",
    "Bucket",
    "BucketError",
    "CheckStatus",
    "Evaluation",
    "EventView",
    "EvidenceRecord",
    "HeartbeatState",
    "Histogram",
    "Ping",
    "PingKind",
    "RequestMinute",
    "RequestWindow",
    "RunSummary",
    "Signal",
    "SilenceView",
    "SourceHealth",
    "State",
    "Transition",
    "TransitionKind",
    "label_key",
    "parse_time",
]
