"""`golive oncall who` and `golive oncall show`: thin commands over ``golive.incidents.oncall``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from golive.cli.common import EXIT_OK, ConfigOption, EnvOption, JsonOption, guarded, load, out
from golive.exceptions import UsageError

if TYPE_CHECKING:
    from golive.config.oncall import Schedule

oncall = typer.Typer(
    help="On-call schedules: who is on call, and the coming shifts.", no_args_is_help=True
)

AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="An ISO time such as 2026-12-24T10:00 (default: now); without an offset it is read"
        " in the schedule's timezone when SCHEDULE is given, else in UTC.",
        show_default=False,
    ),
]


def _instant(text: str | None, timezone: str) -> datetime:
    if text is None:
        from golive.clock import SystemClock

        return SystemClock().now()
    from zoneinfo import ZoneInfo

    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--at {text!r} is not an ISO time such as 2026-12-24T10:00") from None
    if not 1900 <= parsed.year <= 9000:
        raise UsageError(f"--at {text!r} is too far away (years 1900 to 9000)")
    if parsed.tzinfo is None:
        from golive.incidents.schedule import local_instant

        return local_instant(parsed, ZoneInfo(timezone))
    return parsed.astimezone(UTC)


def _schedule(schedules: list[Schedule], name: str) -> Schedule:
    for schedule in schedules:
        if schedule.name == name:
            return schedule
    raise UsageError.unknown("schedule", name, [s.name for s in schedules])


def _stamp(schedule: Schedule, at: datetime) -> str:
    from golive.incidents.oncall import local

    return local(schedule, at).strftime("%a %Y-%m-%d %H:%M %Z")


@oncall.command("who")
def who(
    schedule: Annotated[
        str | None, typer.Argument(help="One schedule (default: all).", show_default=False)
    ] = None,
    at: AtOption = None,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """Who is on call now (or --at a time), until when, and who is next."""

    def command() -> int:
        from golive.incidents.oncall import now_and_next

        loaded = load(config, env)
        schedules = loaded.config.oncall.schedules
        chosen = [_schedule(schedules, schedule)] if schedule else schedules
        instant = _instant(at, chosen[0].timezone if schedule else "UTC")
        holders = now_and_next(loaded.config.oncall, instant, [s.name for s in chosen])
        if as_json:
            out.print_json(json.dumps([h.as_dict() for h in holders]))
            return EXIT_OK
        if not holders:
            out.print("no on-call schedules configured (oncall.schedules)")
            return EXIT_OK
        from rich.table import Table

        table = Table(show_edge=False, pad_edge=False)
        for column in ("schedule", "on call", "since", "until", "next"):
            table.add_column(column, no_wrap=True)
        for holder, spec in zip(holders, chosen, strict=True):
            person = f"{holder.person} (override)" if holder.override else holder.person
            table.add_row(
                holder.schedule,
                person,
                _stamp(spec, holder.since),
                _stamp(spec, holder.until),
                holder.next_person or "—",
            )
        out.print(table)
        return EXIT_OK

    raise typer.Exit(guarded(command))


@oncall.command("show")
def show(
    schedule: Annotated[str, typer.Argument(help="The schedule whose shifts to list.")],
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=52, help="How many weeks.")] = 4,
    at: AtOption = None,
    config: ConfigOption = None,
    env: EnvOption = None,
    as_json: JsonOption = False,
) -> None:
    """The shifts of the coming weeks in the schedule's local time, overrides marked."""

    def command() -> int:
        from golive.incidents.oncall import calendar, handoff_note

        loaded = load(config, env)
        spec = _schedule(loaded.config.oncall.schedules, schedule)
        found = calendar(spec, _instant(at, spec.timezone), weeks)
        if as_json:
            rows = [
                {
                    "person": s.person,
                    "start": s.start.isoformat(),
                    "end": s.end.isoformat(),
                    "override": s.override,
                    "note": handoff_note(spec, s),
                }
                for s in found
            ]
            out.print_json(json.dumps(rows))
            return EXIT_OK
        from rich.table import Table

        table = Table(title=f"{spec.name} ({spec.timezone})", show_edge=False, pad_edge=False)
        for column in ("on call", "from", "to", "hours", "note"):
            table.add_column(column, no_wrap=True)
        for s in found:
            note = "override" if s.override else (handoff_note(spec, s) or "")
            hours = (s.end - s.start).total_seconds() / 3600
            table.add_row(s.person, _stamp(spec, s.start), _stamp(spec, s.end), f"{hours:g}", note)
        out.print(table)
        return EXIT_OK

    raise typer.Exit(guarded(command))
