"""What messages say, and what they never contain."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from devkit.receivers import SmtpReceiver, WebhookReceiver
from golive.clock import ManualClock
from golive.config.secrets import Secrets
from golive.notify import check_channels, deliver_due, plan
from golive.notify.compose import Context, Item, alert_message, runbook_link
from golive.records import AlertPayload
from golive.store import Store
from tests.devkit.notify import Alerts, make_config, minutes

FAILED_HEALTH = {
    "target": "http://127.0.0.1:8000/health",
    "error": "HTTP 503",
    "failed": [
        {"expect": "status == 200", "values": {"status": 503}},
        {"expect": "latency_ms < 500", "values": {"latency_ms": 812.5}},
    ],
}


async def test_messages_carry_expectation_values_root_cause_and_links(
    store: Store, clock: ManualClock, alerts: Alerts, webhook: WebhookReceiver, tmp_path: Path
) -> None:
    config = make_config(
        {"ops-slack": webhook.url()},
        [{"match": {}, "to": ["ops-slack"]}],
        group_wait=0,
        public_url="https://golive.example/",
    )
    started = clock.now()
    alerts.fire(
        "postgres",
        started,
        component="Database",
        severity="critical",
        summary="postgres is DOWN",
        details={
            "target": "127.0.0.1:5432",
            "error": "connection refused",
            "failed": [{"expect": "connected", "values": {"connected": False}}],
        },
        runbook="runbooks/database.md",
        affected=["api-health", "payments"],
    )
    clock.advance(minutes(4))

    plan(store, config, clock.now(), base_dir=tmp_path)
    await deliver_due(store, config, Secrets(), clock.now())

    [request] = webhook.requests
    assert request.body["title"] == "[FIRING] postgres: postgres is DOWN"
    message = request.body["message"]
    for line in [
        "FIRING: postgres (critical, component Database)",
        "Since: 2026-03-02 09:00 UTC (4m ago)",
        "What failed: 127.0.0.1:5432",
        "- expected connected, got connected=false",
        "Error: connection refused",
        "Root cause of: api-health, payments (held back while this is down)",
        f"Runbook: file://{tmp_path}/runbooks/database.md",
        "Dashboard: https://golive.example/checks/postgres",
    ]:
        assert line in message.splitlines(), f"{line!r} not in:\n{message}"


def test_an_alert_held_by_its_root_cause_says_so_and_a_resolved_one_how_long_it_lasted(
    clock: ManualClock,
) -> None:
    context = Context(clock.now(), public_url="http://127.0.0.1:8080")
    held = AlertPayload(
        fingerprint="f1",
        name="api-health",
        check="api-health",
        severity="high",
        details=FAILED_HEALTH,
        inhibited_by="postgres",
        runbook="https://wiki.example/runbooks/api",
    )
    start = clock.now() - timedelta(hours=1, minutes=5)

    firing = alert_message([Item(held, "firing", since=start)], context)
    resolved = alert_message([Item(held, "resolved", since=start, ended=clock.now())], context)

    assert "Held because postgres is DOWN" in firing.body
    assert "- expected status == 200, got status=503" in firing.body
    assert "- expected latency_ms < 500, got latency_ms=812.5" in firing.body
    assert "Runbook: https://wiki.example/runbooks/api" in firing.body
    assert "Dashboard: http://127.0.0.1:8080/checks/api-health" in firing.body
    assert firing.notify_type == "failure"
    assert "Lasted 1h 5m: firing since 2026-03-02 07:55 UTC, resolved 2026-03-02 09:00 UTC" in (
        resolved.body
    )
    assert resolved.notify_type == "success"


def test_runbook_paths_are_shown_as_file_links_beside_the_config(tmp_path: Path) -> None:
    assert runbook_link("runbooks/db.md", tmp_path) == f"file://{tmp_path}/runbooks/db.md"
    assert runbook_link("../shared/db.md", tmp_path / "conf") == f"file://{tmp_path}/shared/db.md"
    assert runbook_link("/srv/runbooks/db.md", None) == "file:///srv/runbooks/db.md"
    assert runbook_link("https://wiki/x", tmp_path) == "https://wiki/x"
    assert runbook_link("runbooks/db.md", None) == "runbooks/db.md"


async def test_channel_urls_never_reach_the_store_or_logs(
    store: Store,
    clock: ManualClock,
    alerts: Alerts,
    webhook: WebhookReceiver,
    smtp: SmtpReceiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = "T0KEN-9f8e7d6c5b4a"
    wrong_password = "Wr0ng-Pa55word"
    hook = webhook.url(f"/hooks/{token}")
    mail = smtp.url(password=wrong_password)
    broken = f"mailto://golive:{wrong_password}@127.0.0.1:2525?to=ops@example.com"
    config = make_config(
        {"ops-slack": hook, "ops-email": mail, "broken": broken},
        [{"match": {}, "to": ["ops-slack", "ops-email", "broken"]}],
        group_wait=0,
    )
    caplog.set_level(logging.DEBUG)
    alerts.fire("api-health", clock.now(), details={"target": f"{hook} via {mail}"})
    webhook.answer(500)

    plan(store, config, clock.now(), secrets=Secrets())
    first = await deliver_due(store, config, Secrets(), clock.now())
    clock.advance(minutes(5))
    await deliver_due(store, config, Secrets(), clock.now())
    problems = check_channels(config, Secrets())

    assert {o.result for o in first.outcomes} == {"retry", "failed"}
    assert webhook.requests[-1].path == f"/hooks/{token}"  # the real URL was used to send
    with store.engine.connect() as connection:
        stored = " ".join(  # what notify wrote (the alert rows hold what this test put there)
            str(value)
            for row in connection.execute(text("SELECT * FROM notifications")).all()
            for value in row
        )
    logged = "\n".join(
        record.getMessage() for record in caplog.records if record.name != "mail.log"
    )  # (mail.log is the test's own SMTP server)
    shown = [stored, logged, *problems, *(o.reason or "" for o in first.outcomes)]
    for secret in (token, wrong_password, smtp.password):
        for text_ in shown:
            assert secret not in text_
    assert "HTTP 500" in logged and "ops-slack" in logged
    assert problems == [
        "channel broken: Apprise cannot use this URL: Invalid ~From~ email specified: "
        "Apprise <golive@127.0.0.1>"
    ]


def test_reasons_and_measured_values_are_put_in_words(clock: ManualClock) -> None:
    context = Context(clock.now())
    told_late = AlertPayload(
        fingerprint="f2",
        name="api-latency",
        severity="medium",
        reason="unsilenced",
        details={"failed": [], "values": {"p95_ms": 912, "rps": 40.5}},
    )
    removed = AlertPayload(fingerprint="f3", name="old-check", severity="low", reason="removed")

    late = alert_message([Item(told_late, "firing")], context)
    gone = alert_message([Item(removed, "resolved", ended=clock.now())], context)

    assert "Told now: its silence or maintenance window ended" in late.body
    assert "Measured: p95_ms=912, rps=40.5" in late.body
    assert "Resolved because its check or rule is no longer in the config" in gone.body
    assert f"Resolved {clock.now():%Y-%m-%d %H:%M} UTC" in gone.body
