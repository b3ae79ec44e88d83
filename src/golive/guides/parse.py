"""A guide's text → ``Guide``: its checklist lines and the facts the mapper uses.

Besides checklists (``checklist``), SLA rows (``sla``) and environment variables (``envvars``),
every line of the guide — prose, items, table rows and code — is searched for
  * health endpoints: a URL or path ending in health, healthz, healthcheck, livez or readyz
    ("curl -f https://x/api/health", "location /health/"), or any path a sentence says health
    checks use ("Health checks on /admin/login/");
  * hosts: every http(s) URL's host; the guide's own site is the first host that is not a
    placeholder (your-app.com, example.com, staging-…) among, in this order, the hosts of health
    URLs, of ``*_URL`` / ``ALLOWED_HOSTS`` variables, and of nginx ``server_name``;
  * backup facts: PostgreSQL, how often to back up ("every 6 hours", "daily" on a line or under
    a heading about backups), RPO and RTO;
  * scheduled jobs (crontab lines, Celery beat, "pg_dump daily at 2am"): see ``jobs``;
  * smoke journeys (synthetic monitoring's flows): see ``journeys``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from golive.guides.checklist import checklist_lines
from golive.guides.envvars import env_vars
from golive.guides.flags import flag_hints
from golive.guides.jobs import jobs
from golive.guides.journeys import journeys
from golive.guides.markdown import Block, Fence, Heading, Item, Paragraph, Path, Table, blocks
from golive.guides.model import BackupHints, Guide, HealthEndpoint, HostMention
from golive.guides.response import response_hints
from golive.guides.sla import concurrent_users, error_rate, sla_rows, uptime
from golive.guides.text import duration, plain, seconds

Line = tuple[int, str, Path]

_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(?::\d+)?(?:/[^\s'\"`)<>\]},;]*)?")
_HEALTH = r"(?:[\w-]+/)*(?:health|healthz|healthcheck|health-check|livez|readyz)/?"
_HEALTH_URL_PATH = re.compile(rf"^/{_HEALTH}$", re.I)
_HEALTH_PATH = re.compile(rf"(?<![\w.:/$-])(/{_HEALTH})(?![\w.-])", re.I)
_HEALTH_PROSE = re.compile(
    r"health[- ]?checks?\s+(?:on|at|via|against|hit|hits|using|to)\s+`?(/[\w./-]*)", re.I
)
_APP_URL_VAR = re.compile(
    r"^\s*(?:export\s+)?(?:\w*_)?(?:NEXTAUTH_URL|APP_URL|BASE_URL|SITE_URL|PUBLIC_URL|ALLOWED_HOSTS)"
    r"=['\"]?([^'\"\s]+)"
)
_SERVER_NAME = re.compile(r"\bserver_name\s+([^;]+);")
_PLACEHOLDER = re.compile(r"your|example|localhost|tbd|xxx|staging|\btest\b|placeholder", re.I)
_DOMAIN = re.compile(r"^(?=.*[a-z])[a-z0-9-]+(\.[a-z0-9-]+)+$", re.I)
_POSTGRES = re.compile(r"postgres|\bpg_dump\b|\bpg_restore\b|\bpsql\b", re.I)
_DATABASE = re.compile(r"\bdatabases?\b", re.I)
_BACKUP = re.compile(r"\bback(?:ed)?[ -]?ups?\b|backup", re.I)
_EVERY = re.compile(r"\bevery\s+(\d+)\s*(minutes?|mins?|hours?|hrs?|days?)\b", re.I)
_PERIOD = {"hourly": "1h", "daily": "1d", "nightly": "1d", "weekly": "7d"}
_PERIOD_WORD = re.compile(r"\b(hourly|daily|nightly|weekly)\b", re.I)
_OBJECTIVE = r"[^0-9\n]{0,40}?(\d+)\s*(minutes?|mins?|hours?|hrs?|days?)\b"
_RETENTION = re.compile(r"retention|\bretain\w*|\bkeep\b", re.I)
# "30 days local", "30 days for daily", "12 months for weekly", RETENTION_DAYS=90
_KEEP = re.compile(
    r"(\d+)\s*(days?|weeks?|months?)\b(?:\s+(?:for|of)?\s*(daily|weekly|monthly)\b)?", re.I
)
_KEEP_DAYS = re.compile(r"RETENTION_DAYS\s*=\s*(\d+)")
_CADENCE = {"days": "daily", "weeks": "weekly", "months": "monthly"}
_PER: dict[str, dict[str, float]] = {  # backups of a cadence in one unit of time
    "daily": {"day": 1, "week": 7, "month": 30},
    "weekly": {"day": 1 / 7, "week": 1, "month": 52 / 12},
    "monthly": {"day": 1 / 30, "week": 12 / 52, "month": 1},
}
_RPO = re.compile(rf"\b(?:RPO|recovery point objective)\b{_OBJECTIVE}", re.I)
_RTO = re.compile(rf"\b(?:RTO|recovery time objective)\b{_OBJECTIVE}", re.I)


def parse_guide(text: str, name: str) -> Guide:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parsed = blocks(text)
    title = next((b.text for b in parsed if isinstance(b, Heading) and b.level == 1), name)
    guide = Guide(name=name, title=title)
    guide.checklist, guide.unused = checklist_lines(parsed)
    guide.sla = sla_rows(parsed)
    guide.env = env_vars(parsed, guide.unused)
    lines = list(_lines(parsed))
    guide.error_rate = error_rate(lines)
    guide.users = concurrent_users(lines)
    guide.uptime = uptime(lines)
    guide.health = _health(lines)
    guide.hosts, guide.app_host = _hosts(lines, guide.health)
    guide.backup = _backup(text, lines)
    guide.response = response_hints(lines)
    guide.jobs = jobs([(line, raw) for line, raw, _ in lines])
    guide.journeys = journeys(lines)
    guide.flags = flag_hints(lines)
    guide.unused.sort(key=lambda u: u.line)
    return guide


def _lines(parsed: list[Block]) -> Iterator[Line]:
    """Every line of the guide with the headings above it (raw Markdown, links kept)."""
    for block in parsed:
        if isinstance(block, Heading):
            yield block.line, block.text, ()
        elif isinstance(block, Item):
            yield block.line, block.text, block.path
        elif isinstance(block, Paragraph):
            for index, raw in enumerate(block.lines):
                yield block.line + index, raw, block.path
        elif isinstance(block, Fence):
            for index, raw in enumerate(block.body):
                yield block.line + 1 + index, raw, block.path
        elif isinstance(block, Table):
            for line, cells in block.rows:
                yield line, " | ".join(cells), block.path


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _health(lines: list[Line]) -> list[HealthEndpoint]:
    found: dict[str, HealthEndpoint] = {}

    def add(path: str, line: int, host: str | None) -> None:
        seen = found.get(path)
        if seen is None:
            found[path] = HealthEndpoint(path, line, 1, host)
        else:
            found[path] = HealthEndpoint(path, seen.line, seen.mentions + 1, seen.host or host)

    for line, text, _ in lines:
        for url in _URL.findall(text):
            path = urlsplit(url).path
            if _HEALTH_URL_PATH.match(path):
                add(path, line, _host(url) or None)
        for path in _HEALTH_PATH.findall(text):
            add(path, line, None)
        for path in _HEALTH_PROSE.findall(plain(text)):
            if not _HEALTH_URL_PATH.match(path):
                add(path, line, None)
    return sorted(found.values(), key=lambda h: h.line)


def _hosts(
    lines: list[Line], health: list[HealthEndpoint]
) -> tuple[list[HostMention], HostMention | None]:
    mentions: dict[str, HostMention] = {}
    app_vars: list[str] = []
    server_names: list[str] = []

    def add(host: str, line: int) -> None:
        if not _DOMAIN.match(host):
            return
        seen = mentions.get(host)
        placeholder = bool(_PLACEHOLDER.search(host))
        if seen is None:
            mentions[host] = HostMention(host, line, 1, placeholder)
        else:
            mentions[host] = HostMention(host, seen.line, seen.mentions + 1, placeholder)

    for line, text, _ in lines:
        for url in _URL.findall(text):
            add(_host(url), line)
        variable = _APP_URL_VAR.match(text)
        if variable:
            for value in variable.group(1).split(","):
                host = _host(value) if "://" in value else value.strip().lower()
                add(host, line)
                app_vars.append(host)
        server = _SERVER_NAME.search(text)
        if server:
            for host in server.group(1).split():
                add(host.lower(), line)
                server_names.append(host.lower())
    candidates = [h.host for h in health if h.host] + app_vars + server_names
    app = next(
        (mentions[h] for h in candidates if h in mentions and not mentions[h].placeholder), None
    )
    return sorted(mentions.values(), key=lambda h: h.line), app


def _period(number: str, unit: str) -> str:
    return duration(seconds(float(number), unit))


def _backup(text: str, lines: list[Line]) -> BackupHints:
    every: str | None = None
    rpo: str | None = None
    rto: str | None = None
    kept: tuple[tuple[str, int], ...] = ()
    kept_at: int | None = None
    used: list[int] = []
    for line, raw, path in lines:
        about_backups = _BACKUP.search(raw) or any(_BACKUP.search(h.text) for h in path[-2:])
        if every is None and about_backups:
            count, period = _EVERY.search(raw), _PERIOD_WORD.search(raw)
            if count:
                every = _period(count.group(1), count.group(2))
            elif period:
                every = _PERIOD[period.group(1).lower()]
            if every:
                used.append(line)
        if about_backups and _RETENTION.search(raw) and not kept:
            kept = _retention(raw)
            kept_at = line if kept else None
        if rpo is None and (match := _RPO.search(plain(raw))):
            rpo = _period(match.group(1), match.group(2))
            used.append(line)
        if rto is None and (match := _RTO.search(plain(raw))):
            rto = _period(match.group(1), match.group(2))
            used.append(line)
    return BackupHints(
        bool(_POSTGRES.search(text)),
        bool(_DATABASE.search(text)),
        every,
        rpo,
        rto,
        kept,
        tuple(sorted(set(used))),
        kept_at,
    )


def _retention(raw: str) -> tuple[tuple[str, int], ...]:
    """How many backups of each cadence a retention line keeps: "30 days" keeps 30 daily ones,
    "12 months for weekly" 52 weekly ones; the first figure of a cadence wins ("30 days local,
    90 days S3": golive keeps one copy, the local one)."""
    found: dict[str, int] = {}
    if match := _KEEP_DAYS.search(raw):
        found["daily"] = int(match.group(1))
    for number, unit, cadence in _KEEP.findall(raw):
        base = unit.lower().rstrip("s")
        rule = cadence.lower() if cadence else _CADENCE[base + "s"]
        found.setdefault(rule, max(1, round(int(number) * _PER[rule][base])))
    return tuple(found.items())
