"""The metrics service: scrapes (each at its ``every``), log followers (every second), and the
``requests:`` rules' signals (every ``SIGNAL_SECONDS``), beside the check cycle.

Each reading and where it leaves off are stored in one transaction (``save_reading``), so a
restart continues from the stored position: no line or scrape delta is lost or counted twice.
A failing source is recorded in its health (``golive status``, ``/api/metrics``, the
dashboard) and tried again next time; it never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from golive.alerts import alert_specs
from golive.config import LoadedConfig
from golive.config.slo import MetricSource
from golive.exceptions import SourceError
from golive.metrics.accesslog import Parser, Position, read_new
from golive.metrics.exposition import parse, request_histogram, series_count
from golive.metrics.promquery import PrometheusClient
from golive.metrics.scrape import deltas, fetch
from golive.records import Signal, SourceHealth
from golive.store.requests import load_source, request_window, save_reading

if TYPE_CHECKING:  # services.py lists this module's factory
    from golive.serve.services import Service, ServiceContext

log = logging.getLogger("golive.metrics")

SIGNAL_SECONDS = 10.0
QUERY_EVERY = timedelta(seconds=30)  # a prometheus_query source's health check
MINUTE = timedelta(minutes=1)
POSITION_KEYS = {"inode", "offset", "head"}


def minute_of(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def kind_of(source: MetricSource) -> str:
    return source.kind


class MetricsService:
    name = "metrics"
    interval = 1.0

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self._state: dict[str, tuple[dict[str, Any], SourceHealth]] = {}
        self._due: dict[str, datetime] = {}
        self._parsers: dict[str, Parser] = {}
        self._next_signals: datetime | None = None
        self._told: set[str] = set()

    def reload(self, loaded: LoadedConfig) -> None:
        self._due.clear()  # a changed ``every`` applies at once
        self._parsers.clear()

    async def tick(self, now: datetime) -> None:
        loaded = self.ctx.config()
        for source in loaded.config.metrics:
            if self.ctx.stopping():
                return
            if source.access_log is not None:
                await asyncio.to_thread(self._follow, source, now)
            elif now >= self._due.get(source.name, now):
                every = source.prometheus.every if source.prometheus else QUERY_EVERY
                self._due[source.name] = now + every
                await self._poll(source, now)
        if self._next_signals is None or now >= self._next_signals:
            self._next_signals = now + timedelta(seconds=SIGNAL_SECONDS)
            signals = await asyncio.to_thread(self.signals, loaded, now)
            if signals:
                self.ctx.signal(signals)
                self.ctx.wake()

    # -- reading ------------------------------------------------------------------------------
    def _stored(self, source: MetricSource) -> tuple[dict[str, Any], SourceHealth]:
        if source.name not in self._state:
            found = load_source(self.ctx.store, source.name)
            self._state[source.name] = found or ({}, SourceHealth(source.name, kind_of(source)))
        return self._state[source.name]

    def _follow(self, source: MetricSource, now: datetime) -> None:
        spec = source.access_log
        assert spec is not None
        state, health = self._stored(source)
        parser = self._parsers.get(source.name)
        if parser is None:
            parser = self._parsers[source.name] = Parser(source.name, spec.fields)
        # a source renamed from another kind keeps nothing of its state
        position = Position(**state) if state and set(state) == POSITION_KEYS else None
        batch = read_new(self.ctx.config().relative(spec.path), position, parser)
        for note in batch.notes:
            log.info("metrics %s: %s", source.name, note)
        health = replace(
            health,
            ok=batch.error is None,
            lines=health.lines + batch.lines,
            bad_lines=health.bad_lines + batch.bad_lines,
            updated_at=now,
            lag_seconds=(now - batch.newest - MINUTE).total_seconds() if batch.newest else None,
        )
        if batch.error is None:
            health = replace(health, last_ok_at=now)
        else:
            health = replace(health, last_error=batch.error, last_error_at=now)
            self._tell(source.name, batch.error)
        if batch.bad_lines:
            self._tell(source.name, f"{batch.bad_lines} lines that are not nginx-json skipped")
        fresh = vars(batch.position) if batch.position is not None else state
        if batch.minutes or fresh != state or _changed(health, self._state[source.name][1]):
            save_reading(
                self.ctx.store,
                source=source.name,
                kind="access_log",
                minutes=batch.minutes,
                state=fresh,
                health=health,
            )
        self._state[source.name] = (dict(fresh), health)

    async def _poll(self, source: MetricSource, now: datetime) -> None:
        state, health = await asyncio.to_thread(self._stored, source)
        try:
            if source.prometheus is not None:
                spec = source.prometheus
                text = await fetch(spec.url, timeout=spec.timeout.total_seconds())
                families = await asyncio.to_thread(parse, text)
                _name, series = request_histogram(families, spec.histogram)
                minutes, counts = deltas(source.name, minute_of(now), series, state.get("series"))
                state = {"series": counts}
                health = replace(health, series=series_count(families))
            else:
                assert source.prometheus_query is not None
                await PrometheusClient(source.prometheus_query.url).query("vector(1)")
                minutes = []
        except SourceError as exc:
            self._tell(source.name, str(exc))
            health = replace(
                health,
                ok=False,
                last_error=str(exc),
                last_error_at=now,
                failed_scrapes=health.failed_scrapes + 1,
                scrapes=health.scrapes + 1,
                updated_at=now,
            )
            minutes = []
        else:
            health = replace(
                health, ok=True, last_ok_at=now, scrapes=health.scrapes + 1, updated_at=now
            )
        await asyncio.to_thread(
            save_reading,
            self.ctx.store,
            source=source.name,
            kind=kind_of(source),
            minutes=minutes,
            state=state,
            health=health,
        )
        self._state[source.name] = (state, health)

    def _tell(self, source: str, message: str) -> None:
        if message not in self._told:  # once, not every second
            self._told.add(message)
            log.warning("metrics %s: %s", source, message)

    # -- signals ------------------------------------------------------------------------------
    def signals(self, loaded: LoadedConfig, now: datetime) -> list[Signal]:
        """Each ``requests:`` rule's stats over its ``over:`` window up to now (the current,
        partial minute included: rates are per second of the window so far)."""
        found = []
        for spec in alert_specs(loaded):
            if spec.requests is None or spec.over is None:
                continue
            stored = self._state.get(spec.requests) or load_source(self.ctx.store, spec.requests)
            if stored is None:
                continue  # never read yet: no news
            end = minute_of(now) + MINUTE
            start = end - spec.over
            window = request_window(self.ctx.store, spec.requests, start=start, end=end)
            window = replace(window, seconds=max(1.0, (now - start).total_seconds()))
            health = stored[1]
            error = None if health.ok else f"{spec.requests}: {health.last_error}"
            target = f"{spec.requests} over the last {_span(spec.over)}"
            found.append(Signal(spec.name, now, window.stats(), error, target))
        return found


def _changed(new: SourceHealth, old: SourceHealth) -> bool:
    """Worth a write: more than the time of the last look moved."""
    a = replace(new, updated_at=None, lag_seconds=None, last_ok_at=None)
    return a != replace(old, updated_at=None, lag_seconds=None, last_ok_at=None)


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def make(ctx: ServiceContext) -> Service | None:
    """A metrics service when the config has metrics sources."""
    return MetricsService(ctx) if ctx.config().config.metrics else None
