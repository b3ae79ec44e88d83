"""Incidents and on-call: lifecycle (triggered → acknowledged → mitigated → resolved),
severities, escalation through the outbox, signed one-click links, schedules, the timeline,
measures, postmortems, reports.

Modules are imported where they are used (``golive.incidents.schedule`` for who is on call);
this ``__init__`` stays light so `golive validate` loads nothing it does not need.
"""
