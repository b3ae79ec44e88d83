"""A SQLite store with rows in every table, written through golive's own store and domain
functions (as `golive check`, `serve`, the CLI and the web would write them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from golive import accounts
from golive.engine.results import CheckResult
from golive.engine.rollup import rollup
from golive.records import CheckStatus, Ping, RunSummary
from golive.records.alerts import AlertView, Evaluation, Transition
from golive.records.histogram import Histogram
from golive.records.requests import RequestMinute, SourceHealth
from golive.records.rollouts import RolloutEvent
from golive.store import Store, jobs
from golive.store import incidents as incident_rows
from golive.store.alerts import acknowledge_alert, insert_silence, save_evaluation
from golive.store.backups import mark_verified, start_backup
from golive.store.flags import FlagOverrideView, write_flag_change
from golive.store.gate import SignoffView, add_signoff, record_gate_run
from golive.store.heartbeats import issue_secret, keep_ping
from golive.store.leases import hold
from golive.store.outbox import NewNotification, enqueue
from golive.store.requests import save_reading
from golive.store.rollouts import add_event, start_rollout
from golive.store.scale import InboxEntry, WorkerBeat, add_results, beat
from golive.store.state import flush
from golive.store.tokens import create_token

T0 = datetime(2026, 11, 1, 12, 0, 5, 123456, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Filled:
    """What the fixture wrote that only its answer knows (plaintext secrets, ids)."""

    token: str
    session_token: str
    incident_id: int
    rollout_id: int


def fill(store: Store) -> Filled:
    """Rows in every table: runs, evidence, rollups and check states from two check cycles;
    an alert with its events, a silence, an outbox row; users, sessions, tokens; gate;
    heartbeats and a ping a web replica kept; a backup; an incident with all its side tables;
    requests; rollouts; flags; a leader lease; a worker's probe result and heartbeat; a backup
    job running on it."""
    results = [
        CheckResult("web", "API", "http", "GET /", True, 12.5, None, (), {"status": 200}, T0),
        CheckResult("db", "DB", "tcp", "5432", False, None, "refused", (), {"é": [1, 2.5]}, T0),
    ]
    store.record_run(
        RunSummary("check", "prod", T0, T0 + timedelta(seconds=1)), [r.evidence() for r in results]
    )
    flush(
        store,
        environment="prod",
        statuses=[
            CheckStatus("web", "up", T0, consecutive_successes=3, last_ok=True),
            CheckStatus("db", "down", T0, consecutive_failures=2, last_error="refused"),
        ],
        evidence=[r.evidence() for r in results],
        buckets=rollup(results),
    )
    _alerts(store)
    token = create_token(store, "ci", "operator", T0)
    user = accounts.add_user(store, name="ada", role="admin", password=PASSWORD, now=T0)
    session = accounts.create_session(store, user, T0)
    add_signoff(
        store,
        SignoffView(0, "security-review", "prod", "ada", "ok", T0, T0 + timedelta(days=30)),
    )
    record_gate_run(store, "prod", T0, "GO", [{"item": "checks", "ok": True}], release="v1.2")
    issue_secret(store, "nightly-job", T0)  # the row, with a secret's hash
    keep_ping(store, Ping("nightly-job", "end", T0, ok=False, exit_code=3, log="disk full"))
    backup_id = start_backup(
        store,
        name="db",
        environment="prod",
        kind="postgres",
        target="dir",
        key="db/2026-11-01",
        started_at=T0,
        encrypted=True,
    )
    mark_verified(store, backup_id, ok=True, at=T0)
    incident_id = _incident(store)
    _requests(store)
    rollout = start_rollout(
        store,
        name="api",
        strategy="canary",
        version="1.2.0",
        commit="abc123",
        targets=["10.0.0.2:80"],
        stable=["10.0.0.1:80"],
        now=T0,
    )
    add_event(store, RolloutEvent(rollout.id, T0, "step", "10% of traffic", {"weight": 10}))
    write_flag_change(
        store,
        FlagOverrideView("new-checkout", True, 0.25, T0, "ada"),
        reason="launch",
        before={},
        after={"enabled": True, "rollout": 0.25},
    )
    hold(store, "scheduler", "host-a:4242", ttl=timedelta(seconds=10), now=T0)
    add_results(store, [InboxEntry("web", "eu-west", "d1", {"ok": True, "é": [1]}, T0, T0)])
    beat(store, WorkerBeat("eu-west@probe-1:4242", "eu-west", 4242, 8, T0, T0, runs=3))
    job = jobs.enqueue(
        store, kind="backup", name="db", environment="prod", region="eu-west", now=T0, deadline=T0
    )
    assert job is not None
    jobs.claim(store, job.id, worker="eu-west@probe-1:4242", now=T0, deadline=T0)
    return Filled(token, session.token, incident_id, rollout.id)


def _alerts(store: Store) -> None:
    """An alert that fired (with its events), acknowledged; a silence; an outbox row."""
    alert = AlertView(
        fingerprint="f" * 16,
        name="web down",
        rule="down",
        check="web",
        component="API",
        severity="critical",
        labels={"team": "ops"},
        state="firing",
        pending_since=T0,
        firing_since=T0 + timedelta(minutes=1),
        summary="web is down",
        details={"error": "timeout", "ratio": 0.5},
        updated_at=T0 + timedelta(minutes=1),
    )
    save_evaluation(
        store,
        Evaluation(
            at=T0 + timedelta(minutes=1),
            alerts=(alert,),
            events=(Transition(alert.fingerprint, "firing", T0, {"state": "firing"}),),
            opened=frozenset({alert.fingerprint}),
        ),
    )
    acknowledge_alert(store, alert.fingerprint, "ada", T0 + timedelta(minutes=2))
    insert_silence(
        store,
        matchers={"check": "db", "labels": {"env": "prod"}},
        starts_at=T0,
        ends_at=T0 + timedelta(hours=2),
        created_by="ada",
        reason="maintenance",
        created_at=T0,
    )
    with store.writing("enqueue") as connection:
        enqueue(
            connection,
            NewNotification(
                "web-down-1", "ops", "alert", "web down", "body", "g", {"fingerprint": "f"}
            ),
            T0,
        )


def _incident(store: Store) -> int:
    """An incident with an alert, a timeline entry, an escalation, a tracked page, a used
    one-click link and the link key."""
    with store.writing("open an incident") as connection:
        incident = incident_rows.insert_incident(
            connection,
            title="web down",
            severity="sev1",
            state="triggered",
            component="API",
            components=["API"],
            public=True,
            group_key="web",
            policy="default",
            channels=["ops"],
            opened_at=T0,
            opened_by="alert",
            respond_by=T0 + timedelta(minutes=15),
        )
        incident_rows.add_alert(connection, incident.id, "f" * 16)
        incident_rows.append(
            connection, incident.id, "opened", at=T0, actor="alert", message="web down"
        )
        incident_rows.start_escalation(connection, incident.id, "default", T0)
        incident_rows.track_notifications(connection, incident.id, [1])  # _alerts' outbox row
        incident_rows.use_link(
            connection,
            "n" * 32,
            incident_id=incident.id,
            action="ack",
            at=T0,
            expires_at=T0 + timedelta(hours=1),
        )
        incident_rows.link_key(connection)
    return incident.id


def _requests(store: Store) -> None:
    """One minute of requests (its histogram is the store's one binary column)."""
    minute = RequestMinute(
        "nginx",
        T0.replace(second=0, microsecond=0),
        {"route": "/api", "method": "GET", "status": "200"},
        3,
        1,
        Histogram.of_latencies_ms([1.5, 20.0, 300.0]),
    )
    save_reading(
        store,
        source="nginx",
        kind="access_log",
        minutes=[minute],
        state={"offset": 1234, "inode": 42},
        health=SourceHealth("nginx", "access_log", lines=3, last_ok_at=T0, updated_at=T0),
    )
