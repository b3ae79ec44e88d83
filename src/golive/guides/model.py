"""What the importer finds in a guide: checklist lines and the facts around them."""

from __future__ import annotations

from dataclasses import dataclass, field

from golive.guides.flags import FlagHint
from golive.guides.markdown import Path
from golive.guides.response import ResponseHints
from golive.guides.text import short_heading


def where(path: Path, limit: int = 3) -> str:
    """The headings of a path below the title, "A › B › C" (the last ``limit``)."""
    below_title = [h.text for h in path if h.level > 1] or [h.text for h in path]
    return " › ".join(below_title[-limit:])


@dataclass(frozen=True)
class ChecklistLine:
    line: int
    text: str  # plain words, the checkbox or mark removed
    path: Path
    style: str  # "checkbox" | "mark" (✅ ☐ …) | "bullet" | "numbered"
    checked: bool = False  # "[x]" or ✅ in the guide
    details: tuple[tuple[int, str], ...] = ()  # nested lines under it: (line, plain text)
    fence: str | None = None  # the code block it sits in ("bash"), if any

    @property
    def heading(self) -> str:
        return where(self.path)

    @property
    def nearest(self) -> str:
        return short_heading(self.path[-1].text) if self.path else ""


@dataclass(frozen=True)
class SlaRow:
    line: int
    label: str  # as the guide says it: "List endpoints"
    klass: str  # the loadtest class: "list"
    percentile: str | None  # "p95"
    target: str | None  # a golive duration: "200ms"
    source: str  # "table" | "list"
    reason: str = ""  # why it cannot be used; "" when it can

    @property
    def usable(self) -> bool:
        return not self.reason


@dataclass(frozen=True)
class EnvVar:
    name: str
    line: int
    required: bool
    block: str  # where it was listed: "code block at line 88" / "table at line 12" / "list"
    min_length: int | None = None  # "32-character secret" in the guide
    forbid: tuple[str, ...] = ()  # values it must not have in production


@dataclass(frozen=True)
class HealthEndpoint:
    path: str  # "/api/health"
    line: int  # first mention
    mentions: int
    host: str | None = None  # when named in a full URL


@dataclass(frozen=True)
class HostMention:
    host: str
    line: int  # first mention
    mentions: int
    placeholder: bool  # "your-app.com", "example.com", a staging host


@dataclass(frozen=True)
class Unused:
    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class BackupHints:
    postgres: bool = False  # the guide's database is PostgreSQL
    database: bool = False  # the guide speaks of a database
    every: str | None = None  # "6h": how often the guide says to back up
    rpo: str | None = None
    rto: str | None = None
    retention: tuple[tuple[str, int], ...] = ()  # (("daily", 30), ("weekly", 52)): how many to keep
    lines: tuple[int, ...] = ()  # where these came from
    retention_line: int | None = None


@dataclass(frozen=True)
class Job:
    """A job the guide schedules: a heartbeat check's cron or period."""

    name: str
    line: int
    text: str  # the guide's words for it, shortened
    cron: str | None = None
    period: str | None = None
    how: str = "crontab"  # "crontab" | "celery beat" | "prose"
    grace: str = "30m"  # how late its ping may be


@dataclass(frozen=True)
class JourneyStep:
    """One flow of a smoke journey: a request whose URL the guide does not give."""

    name: str
    line: int
    text: str  # the guide's words for it
    method: str = "GET"


@dataclass(frozen=True)
class Journey:
    """Smoke flows a guide runs in order, for a ``steps:`` check."""

    title: str  # the heading it was under
    line: int  # its first flow
    steps: tuple[JourneyStep, ...]
    every: str | None = None  # "5m" when the guide says how often


@dataclass
class Guide:
    name: str  # the file name, shown in comments
    title: str
    checklist: list[ChecklistLine] = field(default_factory=list)
    sla: list[SlaRow] = field(default_factory=list)
    error_rate: tuple[int, str] | None = None  # (line, "0.1%")
    users: tuple[int, int] | None = None  # (line, 1000): "1,000 concurrent users"
    uptime: tuple[int, str] | None = None  # (line, "99.9%")
    env: list[EnvVar] = field(default_factory=list)
    health: list[HealthEndpoint] = field(default_factory=list)
    hosts: list[HostMention] = field(default_factory=list)
    app_host: HostMention | None = None  # the guide's own site, when it names one
    backup: BackupHints = BackupHints()
    response: ResponseHints = field(default_factory=ResponseHints)  # severities, escalation
    jobs: list[Job] = field(default_factory=list)
    journeys: list[Journey] = field(default_factory=list)
    flags: tuple[FlagHint, ...] = ()  # the guide's feature-flag table
    unused: list[Unused] = field(default_factory=list)
