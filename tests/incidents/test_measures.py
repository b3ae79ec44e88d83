"""Pages by mail to a real SMTP receiver; MTTA, MTTR and breaches measured on a moving clock."""

from __future__ import annotations

from datetime import timedelta

from devkit.receivers import SmtpReceiver, WebhookReceiver
from golive.clock import ManualClock
from golive.config.secrets import Secrets
from golive.incidents.escalation import first_in_rotation
from golive.incidents.lifecycle import act, open_incident
from golive.incidents.stats import incident_stats
from golive.incidents.watch import watch
from golive.notify import deliver_due
from golive.store import Store
from tests.devkit.notify import Alerts
from tests.incidents.conftest import oncall_config


async def test_a_page_by_mail_reaches_the_person_with_its_links(
    store: Store,
    clock: ManualClock,
    alerts: Alerts,
    webhook: WebhookReceiver,
    smtp: SmtpReceiver,
) -> None:
    config = oncall_config(webhook)
    people = config.oncall.people
    config = config.model_copy(
        update={
            "oncall": config.oncall.model_copy(
                update={
                    "people": [
                        people[0].model_copy(update={"notify": [smtp.url("alice@example.com")]}),
                        people[1],
                    ]
                }
            )
        }
    )
    alerts.fire("postgres", clock.now(), severity="critical")
    watch(store, config, clock.now(), resolver=first_in_rotation(config.oncall))

    stats = await deliver_due(store, config, Secrets(), clock.now())

    assert stats.delivered == 1
    [mail] = smtp.messages
    assert mail["Subject"] == "[SEV1] #1 postgres failing (API)"
    text = SmtpReceiver.text(mail)
    assert "Acknowledge: https://status.example.com/i/" in text
    assert "Resolve: https://status.example.com/i/" in text
    assert smtp.password not in text


def test_mtta_mttr_and_breaches_by_severity(
    store: Store, clock: ManualClock, webhook: WebhookReceiver
) -> None:
    config = oncall_config(webhook)
    start = clock.now()

    def opened(severity: str) -> int:
        view = open_incident(
            store, config.incidents, title="x", severity=severity, at=clock.now(), actor="t"
        )
        return view.id

    first = opened("SEV1")
    clock.advance(timedelta(minutes=2))
    act(store, first, "acknowledge", at=clock.now(), actor="alice")  # TTA 2 min
    clock.advance(timedelta(minutes=8))
    act(store, first, "resolve", at=clock.now(), actor="alice")  # TTR 10 min
    second = opened("SEV1")
    clock.advance(timedelta(minutes=6))  # past its 5 min target
    watch(store, config, clock.now(), resolver=first_in_rotation(config.oncall))
    act(store, second, "acknowledge", at=clock.now(), actor="bob")  # TTA 6 min
    clock.advance(timedelta(minutes=24))
    act(store, second, "resolve", at=clock.now(), actor="bob")  # TTR 30 min
    opened("SEV2")

    stats = incident_stats(store, since=start, until=clock.now() + timedelta(seconds=1))

    sev1 = stats.by_severity["SEV1"]
    assert (sev1.count, sev1.open, sev1.breaches) == (2, 0, 1)
    assert sev1.mtta_seconds == 240.0  # (2 + 6) / 2 minutes
    assert sev1.mttr_seconds == 1200.0  # (10 + 30) / 2 minutes
    assert (stats.count, stats.open) == (3, 1)
    assert stats.by_severity["SEV2"].mttr_seconds is None
