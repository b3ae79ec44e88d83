"""Alerts: rule evaluation, the alert state machine (pending → firing → resolved), silences,
maintenance windows, dependency inhibition and acknowledgements.

The package decides and records; it never sends anything itself. ``evaluate`` is pure: the
serve loop feeds it check statuses, latest results, the stored alerts and silences, and saves
the returned ``Evaluation`` with ``golive.store.alerts.save_evaluation``; the notifier then
routes the recorded events (the contract is in ``golive.alerts.evaluate``).
"""

import importlib as _importlib
import typing as _typing

if _typing.TYPE_CHECKING:
    from golive.alerts.ack import acknowledge
    from golive.alerts.evaluate import evaluate
    from golive.alerts.holds import active_windows, maintenance_status
    from golive.alerts.rules import AlertSpec, alert_specs, fingerprint, unsupported_rules
    from golive.alerts.silences import create_silence, expire_silence, list_silences

# Each name's module, imported on first use (PEP 562): `golive validate` reads the rules without
# loading the store the silences and acknowledgements need.
_HOME = {
    "acknowledge": "ack",
    "evaluate": "evaluate",
    "active_windows": "holds",
    "maintenance_status": "holds",
    "AlertSpec": "rules",
    "alert_specs": "rules",
    "fingerprint": "rules",
    "unsupported_rules": "rules",
    "create_silence": "silences",
    "expire_silence": "silences",
    "list_silences": "silences",
}


def __getattr__(name: str) -> _typing.Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


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
