"""`golive serve`, `golive reload`, `golive status`."""

from __future__ import annotations

import json
import os
import signal
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import typer

from golive.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    ConfigOption,
    EnvOption,
    JsonOption,
    fail,
    guarded,
    load,
    opened,
    out,
)

if TYPE_CHECKING:
    from golive.config import LoadedConfig
    from golive.store import Store


def serve(
    config: ConfigOption = None,
    env: EnvOption = None,
    role: Annotated[
        str,
        typer.Option(
            help="all: everything this process can run (on a PostgreSQL store: the web, and the "
            "scheduler and evaluator while it holds their leases). web: the web app and API "
            "only. scheduler / evaluator: that part alone, while it holds its lease."
        ),
    ] = "all",
    lease_ttl: Annotated[
        float,
        typer.Option(
            help="Seconds a leader's lease lasts without renewal (PostgreSQL store): a dead "
            "leader is replaced within about 4/3 of it.",
            min=0.5,
        ),
    ] = 10.0,
) -> None:
    """Run every check on its schedule, keep state and evidence, alert and notify, until stopped."""

    def command() -> int:
        import asyncio
        from datetime import timedelta

        from golive import settings
        from golive.serve.process import configure_logging
        from golive.serve.process import serve as run
        from golive.serve.roles import ROLES

        chosen = next((r for r in ROLES if r == role), None)
        if chosen is None:
            fail(f"--role: expected one of {', '.join(ROLES)}, got {role!r}", EXIT_USAGE)
        loaded = load(config, env)
        configure_logging()
        ttl = timedelta(seconds=lease_ttl)
        asyncio.run(run(loaded, settings.environ(), role=chosen, lease_ttl=ttl))
        return EXIT_OK

    raise typer.Exit(guarded(command))


def reload(config: ConfigOption = None, env: EnvOption = None) -> None:
    """Validate the config, then ask the running server to switch to it (SIGHUP)."""

    def command() -> int:
        from golive.serve.process import running_servers

        loaded = load(config, env)  # a bad config stops here, with its errors, exit 2
        pids = running_servers(loaded)
        if not pids:
            folder = loaded.base_dir / ".golive"
            fail(f"no running golive serve found (no live pid in {folder}/serve*.pid)", EXIT_FAILED)
        for pid in pids:
            os.kill(pid, signal.SIGHUP)
            out.print(f"config is valid; asked golive serve (pid {pid}) to reload it")
        return EXIT_OK

    raise typer.Exit(guarded(command))


def status(
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
    state: Annotated[
        str | None, typer.Option(help="Only checks in this state: up, down or unknown.")
    ] = None,
    component: Annotated[str | None, typer.Option(help="Only this component's checks.")] = None,
    search: Annotated[
        str | None, typer.Option(help="Only checks with this text in name, description, component.")
    ] = None,
    label: Annotated[
        list[str] | None, typer.Option(help="Only checks with this label: key=value, or key.")
    ] = None,
    sort: Annotated[
        str, typer.Option(help="Order: config (as written), name, or state (down first).")
    ] = "config",
) -> None:
    """The current state of every check, as `golive serve` last stored it (exit 1 if one shown
    is down)."""

    def command() -> int:
        from rich.table import Table
        from rich.text import Text

        from golive.alerts import maintenance_status
        from golive.clock import SystemClock
        from golive.engine.checks_now import SORTS, STATES, Selection, checks_now, parse_label
        from golive.scale.cluster import cluster_now
        from golive.store.alerts import list_alerts
        from golive.store.outbox import counts_by_status, list_notifications
        from golive.store.requests import describe, sources_now

        if state is not None and state not in STATES:
            fail(f"--state must be one of {', '.join(STATES)}")
        if sort not in SORTS:
            fail(f"--sort must be one of {', '.join(SORTS)}")
        selection = Selection(
            state=state,
            component=component,
            q=search or None,
            labels=tuple(parse_label(text) for text in label or ()),
            sort=sort,  # narrowed by the check above
        )
        loaded = load(config, env)
        with opened(loaded) as store:
            windows = maintenance_status(loaded, SystemClock().now())
            shown = checks_now(loaded, store, maintenance=windows).select(selection)
            firing = list_alerts(store, state="firing")
            outbox = counts_by_status(store)
            failed = list_notifications(store, status="failed", limit=1)
            sources = sources_now(store, [(m.name, m.kind) for m in loaded.config.metrics])
            regions = _regions(loaded, store)
            cluster = cluster_now(store, SystemClock().now())
        rows: list[dict[str, Any]] = []
        for now in shown:
            status = now.status
            rows.append(
                {
                    "name": now.name,
                    "component": now.check.component,
                    "state": now.state,
                    "since": status.since.isoformat() if status else None,
                    "last_run_at": status.last_run_at.isoformat()
                    if status and status.last_run_at
                    else None,
                    "last_latency_ms": status.last_latency_ms if status else None,
                    "last_error": now.last_error,
                    "last_failed": now.last_failed,
                    "maintenance": now.maintenance,
                }
            )
        last_failure = (
            {"channel": failed[0].channel, "reason": failed[0].last_error} if failed else None
        )
        summary = {
            "alerts_firing": [a.name for a in firing],
            "notifications": outbox,
            "last_failed_notification": last_failure,
            "metrics_sources": [h.as_dict() for h in sources],
            "regions": regions,
            **cluster.as_dict(),
        }
        if as_json:
            out.print_json(json.dumps({"checks": rows, **summary}, default=str))
        else:
            table = Table(show_edge=False, pad_edge=False)
            for column in ("check", "component", "state", "since", "last run", "details"):
                table.add_column(column)
            styles = {"up": "green", "down": "bold red", "unknown": "yellow"}
            for row in rows:
                details = (
                    row["last_error"] or "; ".join(f["expect"] for f in row["last_failed"]) or ""
                )
                table.add_row(
                    row["name"],
                    row["component"] or "",
                    Text(str(row["state"]).upper(), style=styles[str(row["state"])]),
                    _short(row["since"]) or "—",
                    _short(row["last_run_at"]) or "never",
                    str(details),
                )
            out.print(table)
            names = ", ".join(a.name for a in firing) or "none"
            out.print(f"alerts firing: {names}")
            counts = " · ".join(f"{k} {v}" for k, v in outbox.items())
            out.print(f"notifications: {counts}")
            if last_failure:
                out.print(
                    f"last failed notification ({last_failure['channel']}): {last_failure['reason']}"
                )
            for health in sources:
                out.print(f"metrics {health.source} ({health.kind}): {describe(health)}")
            for region in regions:
                out.print(_region_line(region))
            for leader in cluster.leaders:
                until = _short(leader.expires_at.isoformat())
                held = "leads" if leader.live else "led (lapsed: a standby takes it)"
                out.print(
                    f"{leader.role}: {leader.holder} {held}, epoch {leader.epoch}, until {until}"
                )
        return EXIT_FAILED if any(r["state"] == "down" for r in rows) else EXIT_OK

    raise typer.Exit(guarded(command))


def _regions(loaded: LoadedConfig, store: Store) -> list[dict[str, Any]]:
    """Each region of ``workers.regions`` and its workers (none without ``workers:``)."""
    if not loaded.config.workers.regions:
        return []
    from golive.clock import SystemClock
    from golive.scale.regions import summary
    from golive.store.scale import list_workers

    return summary(list_workers(store), loaded.config.workers.regions, SystemClock().now())


def _region_line(region: dict[str, Any]) -> str:
    workers = ", ".join(
        f"{w['name']} {'alive' if w['alive'] else 'gone'}, seen {_short(w['seen_at'])},"
        f" {w['runs']} runs"
        for w in region["workers"]
    )
    return f"region {region['region']}: {region['alive']} live workers" + (
        f" ({workers})" if workers else ""
    )


def _when(at: datetime | None) -> str | None:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ") if at else None


def _short(iso: str | None) -> str | None:
    """``2026-11-22T02:12:16Z`` → ``11-22 02:12:16`` for the table (JSON keeps the full form)."""
    return f"{iso[5:10]} {iso[11:19]}" if iso else None
