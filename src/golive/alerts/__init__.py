"""Alerts: rule evaluation, the alert state machine (pending → firing → resolved), silences,
maintenance windows, dependency inhibition and acknowledgements.

The package decides and records; it never sends anything itself. ``evaluate`` is pure: the
serve loop feeds it check statuses, latest results, the stored alerts and silences, and saves
the returned ``Evaluation`` with ``golive.store.alerts.save_evaluation``; the notifier then
routes the recorded events (the contract is in ``golive.alerts.evaluate``).
"""

from golive.alerts.ack import acknowledge
from golive.alerts.evaluate import evaluate
from golive.alerts.holds import active_windows, maintenance_status
from golive.alerts.rules import AlertSpec, alert_specs, fingerprint, unsupported_rules
from golive.alerts.silences import create_silence, expire_silence, list_silences

__all__ = [
    "AlertSpec",
    "acknowledge",
    "active_windows",
    "alert_specs",
    "create_silence",
    "evaluate",
    "expire_silence",
    "fingerprint",
    "list_silences",
    "maintenance_status",
    "unsupported_rules",
]
