"""Incidents and on-call: lifecycle, severities, escalation, schedules, timeline, reports.

Modules are imported where they are used (``golive.incidents.schedule`` for who is on call);
this ``__init__`` stays light so `golive validate` loads nothing it does not need.
"""
