"""Acknowledging an alert: someone is on it, so the notifier stops repeating it.

The acknowledgement lasts until the alert resolves (the evaluator clears it then); the next
episode of the same alert starts unacknowledged.
"""

from __future__ import annotations

from datetime import datetime

from golive.exceptions import UsageError
from golive.records import AlertView
from golive.store import Store
from golive.store import alerts as queries

MIN_PREFIX = 6


def acknowledge(store: Store, fingerprint: str, *, by: str, now: datetime) -> AlertView:
    """Acknowledge the active alert ``fingerprint`` (or a unique prefix of at least 6 chars).

    Acknowledging an acknowledged alert changes nothing and returns it as it is.
    """
    if not by.strip():
        raise UsageError("an acknowledgement needs to say who is on it")
    if now.tzinfo is None:
        raise UsageError("now must carry a time zone")
    key = _resolve(store, fingerprint.strip().lower())
    queries.acknowledge_alert(store, key, by.strip(), now)
    alert = queries.get_alert(store, key)
    if alert is None:
        raise UsageError(f"no alert with fingerprint '{fingerprint}'")
    if not alert.active:
        raise UsageError(f"alert {alert.name} ({key}) is resolved: nothing to acknowledge")
    return alert


def _resolve(store: Store, fingerprint: str) -> str:
    if len(fingerprint) >= 32:
        return fingerprint
    if len(fingerprint) < MIN_PREFIX:
        raise UsageError(f"give at least {MIN_PREFIX} characters of the alert's fingerprint")
    found = queries.fingerprints_starting(store, fingerprint, limit=2)
    if not found:
        raise UsageError(f"no alert with a fingerprint starting '{fingerprint}'")
    if len(found) > 1:
        raise UsageError(f"'{fingerprint}' starts several fingerprints; give more characters")
    return found[0]
