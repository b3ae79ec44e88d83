"""`golive incident ...`: open, list, show, act on, measure and write up incidents."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from golive.cli.common import (
    EXIT_OK,
    ConfigOption,
    EnvOption,
    JsonOption,
    guarded,
    load,
    opened,
    out,
    print_rows,
    when,
)

incident = typer.Typer(
    help="Incidents: open, acknowledge, mitigate, resolve, tell users, measure, write up.",
    no_args_is_help=True,
)
IdArgument = Annotated[int, typer.Argument(help="The incident's number (see `incident list`).")]
ByOption = Annotated[str, typer.Option("--by", help="Who is acting (shown on the timeline).")]


def _row(view: Any) -> dict[str, Any]:
    return {
        "id": view.id,
        "severity": view.severity,
        "state": view.state,
        "title": view.title,
        "component": view.component,
        "public": view.public,
        "opened": when(view.opened_at),
        "acknowledged": when(view.acknowledged_at) if view.acknowledged_at else None,
        "resolved": when(view.resolved_at) if view.resolved_at else None,
        "breached": when(view.breached_at) if view.breached_at else None,
    }


@incident.command("open")
def incident_open(
    title: Annotated[str, typer.Argument(help="What is wrong, in a line.")],
    sev: Annotated[str, typer.Option("--sev", help="A severity of `incidents.severities`.")],
    component: Annotated[str | None, typer.Option("--component", help="Affected.")] = None,
    public: Annotated[bool, typer.Option("--public", help="Show it on /status.")] = False,
    page: Annotated[
        str | None, typer.Option("--page", help="Escalation policy to page with.")
    ] = None,
    by: ByOption = "cli",
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Open an incident by hand."""

    def command() -> int:
        from golive.clock import SystemClock
        from golive.exceptions import UsageError
        from golive.incidents.lifecycle import open_incident

        loaded = load(config, env)
        policies = [p.name for p in loaded.config.oncall.escalation_policies]
        if page is not None and page not in policies:
            raise UsageError.unknown("escalation policy", page, policies)
        with opened(loaded) as store:
            view = open_incident(
                store,
                loaded.config.incidents,
                title=title,
                severity=sev,
                at=SystemClock().now(),
                actor=by,
                component=component,
                public=public or None,
                policy=page,
            )
        _show_one(view, as_json, f"incident #{view.id} opened ({view.severity})")
        return EXIT_OK

    raise typer.Exit(guarded(command))


@incident.command("list")
def incident_list(
    all_: Annotated[bool, typer.Option("--all", help="Resolved ones too.")] = False,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """List open incidents (all with --all), newest first."""

    def command() -> int:
        from golive.incidents.lifecycle import list_incidents

        with opened(load(config, env)) as store:
            views = list_incidents(store, open_only=not all_)
        columns = ["id", "severity", "state", "title", "component", "opened", "acknowledged"]
        print_rows([_row(v) for v in views], as_json, columns)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@incident.command("show")
def incident_show(
    incident_id: IdArgument,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """One incident and its timeline."""

    def command() -> int:
        from golive.incidents.lifecycle import get_incident
        from golive.incidents.timeline import read

        with opened(load(config, env)) as store:
            view = get_incident(store, incident_id)
            entries = read(store, incident_id)
        if as_json:
            body = {
                **_row(view),
                "timeline": [
                    {"at": when(e.at), "kind": e.kind, "actor": e.actor, "message": e.message}
                    for e in entries
                ],
            }
            out.print_json(json.dumps(body, default=str))
            return EXIT_OK
        row = _row(view)
        out.print(f"#{view.id} [{view.severity}] {view.title} — {view.state}", markup=False)
        for key in ("component", "public", "opened", "acknowledged", "resolved", "breached"):
            out.print(f"  {key}: {row[key] if row[key] is not None else '—'}", markup=False)
        rows = [
            {"time": when(e.at), "who": e.actor, "what": e.message.splitlines()[0]} for e in entries
        ]
        print_rows(rows, False, ["time", "who", "what"])
        return EXIT_OK

    raise typer.Exit(guarded(command))


def _act(action: str, incident_id: int, by: str, message: str, config: Any, env: Any) -> None:
    def command() -> int:
        from golive.clock import SystemClock
        from golive.incidents.lifecycle import act

        with opened(load(config, env)) as store:
            view = act(
                store, incident_id, action, at=SystemClock().now(), actor=by, message=message
            )
        out.print(f"incident #{view.id} {view.state} (by {by})", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))


MessageOption = Annotated[str, typer.Option("--message", "-m", help="Why, for the timeline.")]


def _state_command(action: str, doc: str) -> Any:
    """A command that moves an incident by ``action`` (one signature for all four)."""

    def command(
        incident_id: IdArgument,
        by: ByOption = "cli",
        message: MessageOption = "",
        config: ConfigOption = None,
        env: EnvOption = None,
    ) -> None:
        _act(action, incident_id, by, message, config, env)

    command.__doc__ = doc
    return command


for _name, _action, _doc in (
    ("ack", "acknowledge", "Acknowledge: escalation stops at once."),
    ("mitigate", "mitigate", "Mark the impact as mitigated (the cause may remain)."),
    ("resolve", "resolve", "Resolve: escalation stops; a public incident shows as resolved."),
    ("reopen", "reopen", "Reopen a resolved incident (its escalation starts again)."),
):
    incident.command(_name)(_state_command(_action, _doc))


@incident.command("note")
def incident_note(
    incident_id: IdArgument,
    text: Annotated[str, typer.Argument(help="The note.")],
    by: ByOption = "cli",
    config: ConfigOption = None,
    env: EnvOption = None,
) -> None:
    """Add a note to the timeline."""

    def command() -> int:
        from golive.clock import SystemClock
        from golive.incidents.lifecycle import note

        with opened(load(config, env)) as store:
            note(store, incident_id, text, at=SystemClock().now(), actor=by)
        out.print(f"note added to incident #{incident_id}", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@incident.command("update")
def incident_update(
    incident_id: IdArgument,
    status: Annotated[
        str, typer.Option("--status", help="investigating, identified, monitoring or resolved.")
    ],
    message: Annotated[str, typer.Option("--message", "-m", help="What users read.")],
    public: Annotated[
        bool | None, typer.Option("--public/--private", help="Show it on /status, or not.")
    ] = None,
    by: ByOption = "cli",
    config: ConfigOption = None,
    env: EnvOption = None,
) -> None:
    """A status update for users (on /status and in the feed when the incident is public)."""

    def command() -> int:
        from golive.clock import SystemClock
        from golive.incidents.lifecycle import update_status

        with opened(load(config, env)) as store:
            view = update_status(
                store,
                incident_id,
                status=status,
                message=message,
                at=SystemClock().now(),
                actor=by,
                public=public,
            )
        shown = "on /status" if view.public else "not public: use --public to show it on /status"
        out.print(f"incident #{view.id}: {status} ({shown})", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@incident.command("stats")
def incident_stats_command(
    since: Annotated[str, typer.Option("--since", help="How far back: 7d, 30d, 12h.")] = "30d",
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """MTTA, MTTR, counts and missed response targets by severity."""

    def command() -> int:
        from golive.clock import SystemClock
        from golive.config.units import parse_duration
        from golive.exceptions import UsageError
        from golive.incidents.postmortem import duration
        from golive.incidents.stats import IncidentStats, SeverityStats, incident_stats

        try:
            back = parse_duration(since)
        except ValueError as exc:
            raise UsageError(f"--since: {exc}") from None
        now = SystemClock().now()
        with opened(load(config, env)) as store:
            stats = incident_stats(store, since=now - back, until=now)
        if as_json:
            out.print_json(json.dumps(asdict(stats), default=str))
            return EXIT_OK
        measured: list[tuple[str, SeverityStats | IncidentStats]] = [
            *stats.by_severity.items(),
            ("all", stats),
        ]
        rows = [
            {
                "severity": name,
                "incidents": s.count,
                "open": s.open,
                "MTTA": duration(s.mtta_seconds),
                "MTTR": duration(s.mttr_seconds),
                "missed targets": s.breaches,
            }
            for name, s in measured
        ]
        print_rows(rows, False, ["severity", "incidents", "open", "MTTA", "MTTR", "missed targets"])
        return EXIT_OK

    raise typer.Exit(guarded(command))


@incident.command("postmortem")
def incident_postmortem(
    incident_id: IdArgument,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: print).")
    ] = None,
    config: ConfigOption = None,
    env: EnvOption = None,
) -> None:
    """Write a postmortem in Markdown from the incident's timeline."""

    def command() -> int:
        from golive.clock import SystemClock
        from golive.incidents.lifecycle import get_incident
        from golive.incidents.postmortem import postmortem
        from golive.incidents.timeline import read

        loaded = load(config, env)
        with opened(loaded) as store:
            view = get_incident(store, incident_id)
            text = postmortem(view, read(store, incident_id), loaded.config, SystemClock().now())
        if output is None:
            typer.echo(text)
        else:
            output.write_text(text, encoding="utf-8")
            out.print(f"postmortem of incident #{incident_id} written to {output}", markup=False)
        return EXIT_OK

    raise typer.Exit(guarded(command))


def _show_one(view: Any, as_json: bool, line: str) -> None:
    if as_json:
        out.print_json(json.dumps(_row(view), default=str))
    else:
        out.print(line, markup=False)
