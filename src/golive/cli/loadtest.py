"""``golive loadtest NAME``: an open-model load test with a live progress line and the SLA
table. Exit 0 when every SLA holds, 1 when not, 2 for bad usage or config."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from golive.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    ConfigOption,
    EnvOption,
    JsonOption,
    err,
    guarded,
    load,
    opened,
    out,
)
from golive.exceptions import UsageError

if TYPE_CHECKING:
    from datetime import timedelta

    from golive.config import LoadedConfig
    from golive.loadtest.report import LoadReport
    from golive.loadtest.workers import Live


def loadtest(
    name: Annotated[str, typer.Argument(help="The load test to run, as named in `loadtests:`.")],
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
    duration: Annotated[
        str | None,
        typer.Option(
            help="Run this long instead (e.g. 30s; at most max_duration).", show_default=False
        ),
    ] = None,
    rate: Annotated[
        str | None,
        typer.Option(
            help="Send this rate instead (e.g. 500/s; at most max_rate).", show_default=False
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option(help="Processes sending load (each sends rate/N); one per core.")
    ] = 1,
    region: Annotated[
        str | None,
        typer.Option(
            help="Run it on a worker of this region (workers.regions) and wait for its report.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run a load test against its base_url and judge its SLA. Exit 0 PASS, 1 FAIL, 2 bad usage."""

    def command() -> int:
        import signal
        import threading

        from golive.clock import SystemClock
        from golive.config.units import parse_duration, parse_rate
        from golive.loadtest.run import find, run_loadtest

        loaded = load(config, env)
        find(loaded, name)
        try:
            asked_rate = None if rate is None else parse_rate(rate)
            asked_duration = None if duration is None else parse_duration(duration)
        except ValueError as exc:
            raise UsageError(f"--rate/--duration: {exc}") from None
        if region is not None:
            report = _on_worker(loaded, name, region, asked_rate, asked_duration, workers, as_json)
            return _shown_report(report, as_json)
        stop = threading.Event()
        previous = signal.signal(signal.SIGINT, lambda *_: stop.set())
        try:
            with opened(loaded) as store:
                report = run_loadtest(
                    loaded,
                    name,
                    store=store,
                    clock=SystemClock(),
                    rate=asked_rate,
                    duration=asked_duration,
                    workers=workers,
                    stop=stop,
                    on_live=None if as_json else _live,
                )
        finally:
            signal.signal(signal.SIGINT, previous)
        return _shown_report(report, as_json)

    raise typer.Exit(guarded(command))


def _shown_report(report: LoadReport, as_json: bool) -> int:
    if as_json:
        out.print_json(json.dumps(_public(report)))
    else:
        _print(report)
    return EXIT_OK if report.ok else EXIT_FAILED


def _on_worker(
    loaded: LoadedConfig,
    name: str,
    region: str,
    rate: float | None,
    duration: timedelta | None,
    workers: int,
    quiet: bool,
) -> LoadReport:
    """Queue the load test on ``region``'s workers, show its progress from the store, and
    return the report the worker stored."""
    from golive.clock import SystemClock
    from golive.exceptions import GoliveError
    from golive.loadtest.report import LoadReport
    from golive.loadtest.run import KIND
    from golive.scale.job_queue import follow, submit
    from golive.scale.regions import SQLITE_WITH_WORKERS
    from golive.store.jobs import Job

    settings = loaded.config.workers
    if not settings.probing:
        raise UsageError(f"--region needs workers.broker and workers.regions in {loaded.path}")
    if region not in settings.regions:
        known = ", ".join(settings.regions)
        raise UsageError(
            f"--region {region} is not one of workers.regions in {loaded.path} ({known})"
        )
    options: dict[str, Any] = {"workers": workers}
    if rate is not None:
        options["rate"] = rate
    if duration is not None:
        options["duration"] = duration.total_seconds()

    def seen(job: Job) -> None:
        if quiet:
            return
        if job.state == "queued":
            err.print(f"queued for region {region} (job {job.id})", highlight=False)
        elif job.state == "running" and job.progress is None:
            err.print(f"running on {job.worker}", highlight=False)
        elif job.state == "running":
            err.print(job.progress, highlight=False)

    clock = SystemClock()
    with opened(loaded) as store:
        if store.engine.dialect.name == "sqlite":
            raise UsageError(SQLITE_WITH_WORKERS)
        job = submit(
            store,
            loaded,
            kind="loadtest",
            name=name,
            region=region,
            now=clock.now(),
            options=options,
        )
        ended = follow(store, job.id, clock=clock, seen=seen)
        if ended.state != "done":
            raise GoliveError(f"load test {name} on region {region} failed: {ended.error}")
        evidence = store.latest(KIND, name)
    if evidence is None or ended.started_at is None or evidence.taken_at < ended.started_at:
        raise GoliveError(f"load test {name} on region {region} stored no report")
    return LoadReport(evidence.values)


def _live(live: Live) -> None:
    err.print(
        f"{live.elapsed_s:5.1f}s  sent {live.sent}  {live.rate:.0f}/s  errors {live.errors}"
        f"  p95 so far {live.p95_ms:.1f} ms",
        highlight=False,
    )


def _public(report: LoadReport) -> dict[str, Any]:
    return {k: v for k, v in report.data.items() if k != "distribution"}


def _print(report: LoadReport) -> None:
    from rich.table import Table
    from rich.text import Text

    data = report.data
    out.print(
        f"load test {data['name']} ({data['model']} model, {data['workers']} worker(s)):"
        f" asked {data['asked_rate']:g}/s, achieved {data['achieved_rate']:g}/s over"
        f" {data['duration_s']:g}s; {data['requests']} requests, {data['errors']} errors"
        f" ({data['error_rate']:.2%})"
    )
    table = Table(show_edge=False, pad_edge=False)
    for column in ("class", "count", "errors", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="left" if column == "class" else "right")
    rows = [*data["classes"].items(), ("overall", data["overall"])]
    for klass, s in rows:
        table.add_row(
            klass,
            str(s["count"]),
            str(s["errors"]),
            *(f"{s[k]:.1f}" for k in ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms")),
        )
    out.print(table)
    if data["sla"]:
        sla = Table(title="SLA", title_justify="left", show_edge=False, pad_edge=False)
        for column in ("class", "stat", "limit", "measured", "result"):
            sla.add_column(column)
        for row in data["sla"]:
            sla.add_row(
                row["class"],
                row["stat"],
                _shown(row["stat"], row["limit"]),
                _shown(row["stat"], row["value"]),
                Text("PASS", style="green") if row["ok"] else Text("FAIL", style="bold red"),
            )
        out.print(sla)
    for warning in data["warnings"]:
        out.print(f"⚠ {warning}")
    for kind, count in data["error_kinds"].items():
        out.print(f"  {count} × {kind}")
    verdict = report.verdict
    why = f" — {'; '.join(report.reasons)}" if report.reasons else ""
    out.print(Text(f"{verdict}{why}", style="bold green" if report.ok else "bold red"))


def _shown(stat: str, value: float) -> str:
    return f"{value:.2%}" if stat == "error_rate" else f"{value:.1f} ms"
