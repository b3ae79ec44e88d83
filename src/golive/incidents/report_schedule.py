"""Sending the reports at ``reports.daily.at`` / ``reports.weekly.at`` (local time), through
the outbox, once per period: the dedup key is the period's slot, so a restart, a second server
or a replay writes nothing new."""

from __future__ import annotations

from datetime import datetime, timedelta

from golive.config import LoadedConfig
from golive.incidents.report_text import markdown, title
from golive.incidents.reports import build_report
from golive.notify.compose import Message
from golive.notify.digest import schedule_for
from golive.notify.items import dedup_key, enqueue
from golive.store import outbox
from golive.store.store import Store

GRACE = timedelta(hours=6)  # a slot missed while golive was stopped is sent this late at most


def due_slots(loaded: LoadedConfig, now: datetime) -> list[tuple[str, datetime, datetime]]:
    """``(period, start, slot)`` of each configured report whose newest slot is due now."""
    reports = loaded.config.reports
    found = []
    for period in ("daily", "weekly"):
        if getattr(reports, period) is None:
            continue
        schedule = schedule_for(period, reports)
        slot = schedule.last_slot(now)
        if now - slot <= GRACE:
            found.append((period, schedule.previous(slot), slot))
    return found


def report_key(loaded: LoadedConfig, period: str, slot: datetime) -> str:
    return dedup_key("report", loaded.config.project, loaded.environment, period, slot.isoformat())


def send_due(store: Store, loaded: LoadedConfig, now: datetime) -> int:
    """Write each due report for its channels unless written already; the rows written."""
    written = 0
    for period, start, slot in due_slots(loaded, now):
        channels = getattr(loaded.config.reports, period).to
        key = report_key(loaded, period, slot)
        with store.reading("look for a sent report") as connection:
            sent = outbox.ids_by_channel(connection, key)
        if all(channel in sent for channel in channels):
            continue
        report = build_report(store, loaded, period, start=start, end=slot)
        message = Message(title(report), markdown(report), "info")
        with store.writing("write a report") as connection:
            written += enqueue(
                connection,
                message,
                channels,
                kind="report",
                key=key,
                group_key=f"report:{period}:{slot.isoformat()}",
                now=now,
                period=period,
                slot=slot.isoformat(),
            )
    return written
