"""Notify: who is told about alerts, and how, through a durable outbox.

Owns routing (first matching route), grouping (``group_by`` + ``group_wait``), repeats
(``repeat_every``), resolved messages, daily/weekly digests, message text, and delivery with
retries and backoff: webhooks and mail sent by golive itself (permanence from the HTTP status or
SMTP reply code), every other channel through Apprise. Does not decide who is on call: routes with an escalation
policy still notify their ``to`` channels; paging arrives with the on-call stage.

Two steps, both safe to run in several processes and to repeat after a crash:

``plan(store, config, now)``
    alert events (``alert_events.routed_at`` is the cursor) → outbox rows (``notifications``),
    keyed so that a replay writes nothing new.
``await deliver_due(store, config, secrets, now)``
    due outbox rows → claimed atomically → sent → delivered, retried or failed with a reason.

Each planning step (skips, a group, a digest, the repeats) returns a ``PlanStats`` value and
``plan`` adds them up. Errors: ``DeliveryError(reason, permanent)`` is what a transport raises
for a failed send; store errors are reported in ``PlanStats.errors`` / ``DeliveryStats.errors``,
never raised.
Other producers write to the same outbox and ride the same delivery: escalation pages
(``golive.incidents``) and rollout events (``golive.rollout``, one row per event and channel).
Channels are named, never shown: their URLs are secrets and stay out of the store and logs.
"""

from golive.notify.channels import check_channels, send_test
from golive.notify.deliver import DeliveryStats, Outcome, deliver_due
from golive.notify.items import PlanStats
from golive.notify.plan import plan
from golive.notify.transport import ChannelTransport, DeliveryError, Outgoing, Transport

__all__ = [
    "ChannelTransport",
    "DeliveryError",
    "DeliveryStats",
    "Outcome",
    "Outgoing",
    "PlanStats",
    "Transport",
    "check_channels",
    "deliver_due",
    "plan",
    "send_test",
]
