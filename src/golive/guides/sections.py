"""The config sections a gate item needs besides ``gate:`` — vars, checks, a notify channel, a
load test and a backup — built from what the guide says. Every gap is a ``${env:TODO_…}``
reference (``golive validate`` names each one still open) or, where golive only needs words,
the word TODO."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from golive.guides.model import Guide, Job, Journey, SlaRow
from golive.guides.text import slug
from golive.guides.yamltext import Note

LOADTEST = "peak"
REQUESTS = "app"  # the metrics source the imported request SLOs read
_PERCENTILE_OBJECTIVE = {"p50": "50%", "p90": "90%", "p95": "95%", "p99": "99%"}
_WRITE = re.compile(r"write|create|update|post|book|upload", re.I)


def todo(name: str) -> str:
    return f"${{env:TODO_{name}}}"


def env_or_todo(guide: Guide, name: str) -> str:
    """``${env:NAME}`` when the guide lists the variable, else a TODO."""
    return f"${{env:{name}}}" if any(v.name == name for v in guide.env) else todo(name)


def variables(guide: Guide) -> dict[str, Any]:
    app = guide.app_host
    if app is not None:
        why = f"the guide's site (line {app.line}); check it"
        return {"base_url": Note(f"https://{app.host}", why), "host": app.host}
    placeholders = [h.host for h in guide.hosts if h.placeholder]
    why = (
        f"the guide only names placeholders: {', '.join(placeholders[:2])}"
        if placeholders
        else "the guide names no site"
    )
    return {"base_url": Note(todo("BASE_URL"), f"{why} (https://…)"), "host": todo("HOST")}


@dataclass
class Sections:
    """What the gate items asked for so far; rendered once, in the reference's order."""

    guide: Guide
    checks: dict[str, Any] = field(default_factory=dict)  # name → check mapping
    channel: bool = False
    loadtest: bool = False
    backup: str | None = None
    sla: list[SlaRow] = field(default_factory=list)  # the rows the load test uses
    sla_skipped: list[tuple[SlaRow, str]] = field(default_factory=list)

    def health_checks(self) -> list[str]:
        endpoints = self.guide.health
        if not endpoints:
            self.checks.setdefault(
                "app-health",
                Note(
                    {"name": "app-health", "http": {"url": todo("HEALTH_URL")}},
                    above=("the guide names no health endpoint: give its URL",),
                ),
            )
            return ["app-health"]
        names = []
        for endpoint in endpoints:
            name = slug(endpoint.path, "health")
            where = f" on {endpoint.host}" if endpoint.host else ""
            self.checks.setdefault(
                name,
                Note(
                    {
                        "name": name,
                        "http": {"url": f"${{base_url}}{endpoint.path}"},
                        "expect": ["status == 200"],
                    },
                    above=(f"from line {endpoint.line}: {endpoint.path}{where}",),
                ),
            )
            names.append(name)
        return list(dict.fromkeys(names))  # "/health" and "/health/" are one check

    def service_checks(self, text: str) -> list[str]:
        names = []
        if re.search(r"\b(database|db|postgres\w*)\b", text, re.I):
            dsn = env_or_todo(self.guide, "DATABASE_URL")
            self.checks.setdefault("postgres", {"name": "postgres", "postgres": {"dsn": dsn}})
            names.append("postgres")
        if re.search(r"\b(cache|redis)\b", text, re.I):
            url = env_or_todo(self.guide, "REDIS_URL")
            self.checks.setdefault("redis", {"name": "redis", "redis": {"url": url}})
            names.append("redis")
        return names

    def dns_check(self) -> list[str]:
        check = {
            "name": "dns",
            "dns": {"name": "${host}", "type": "A"},
            "expect": ["size(addresses) > 0"],
        }
        self.checks.setdefault("dns", check)
        return ["dns"]

    def heartbeat(self, job: Job) -> None:
        """A ``heartbeat:`` check for a job the guide schedules (its times are the guide's; the
        time zone is UTC unless someone says otherwise)."""
        schedule = {"cron": job.cron} if job.cron else {"period": job.period}
        how = (
            "add a beat task that runs `golive ping celery-beat` every 5m"
            if job.how == "celery beat"
            else f"run it as `golive ping {job.name} -- …`"
        )
        self.checks.setdefault(
            job.name,
            Note(
                {"name": job.name, "heartbeat": {**schedule, "grace": job.grace}},
                above=(
                    f"from line {job.line} ({job.how}): {job.text}",
                    f"a job, so it pings golive: {how}; DOWN when a ping is late or says it failed",
                ),
            ),
        )

    def journey(self, journey: Journey) -> None:
        """A ``steps:`` check for a guide's smoke flows: each a request to a TODO URL (a login's
        session cookie is kept for the steps after it)."""
        name = slug(f"{journey.title} journey", "journey")
        name = re.sub(r"^\d+-", "", name)
        steps = []
        for step in journey.steps:
            http: dict[str, Any] = {"url": todo(f"{step.name.upper().replace('-', '_')}_URL")}
            if step.method != "GET":
                http["method"] = step.method
            steps.append({"name": step.name, "http": http, "expect": ["status < 400"]})
        check: dict[str, Any] = {"name": name}
        if journey.every:
            check["every"] = journey.every
        check["steps"] = steps
        flows = " → ".join(s.text for s in journey.steps)
        self.checks.setdefault(
            name,
            Note(
                check,
                above=(
                    f"from line {journey.line} ({journey.title}): {flows}",
                    "a journey: give each step's URL (a login's cookie goes to the next steps;"
                    " a token: capture: {token: json.token}, then Bearer {{ token }})",
                ),
            ),
        )

    def backup_name(self) -> str:
        """A PostgreSQL backup (the databases golive backs up are PostgreSQL and Redis; files
        otherwise) — assumed when the guide speaks of a database without naming it."""
        if self.backup is None:
            database = self.guide.backup.postgres or self.guide.backup.database
            self.backup = "main-db" if database else "files"
        return self.backup

    def render(self) -> dict[str, Any]:
        sections: dict[str, Any] = {}
        slos = self._slos()  # before the checks: availability may add the health check
        if self.checks:
            sections["checks"] = list(self.checks.values())
        if self.channel:
            url = Note(todo("ALERT_CHANNEL_URL"), "an Apprise URL: slack://…, mailto://…, …")
            sections["notify"] = {"channels": [{"name": "ops", "url": url}]}
        if any("requests" in _value(slo)["sli"] for slo in slos):
            url = Note(todo("METRICS_URL"), "your app's /metrics; or access_log: {path: …}")
            sections["metrics"] = [{"name": REQUESTS, "prometheus": {"url": url}}]
        if slos:
            sections["slos"] = slos
        if self.loadtest:
            sections["loadtests"] = [self._loadtest()]
        if self.backup is not None:
            sections["backups"] = [self._backup()]
        return sections

    def _slos(self) -> list[Any]:
        """The guide's uptime, latency (per SLA row) and error-rate targets as ``slos:``."""
        slos: list[Any] = []
        slo: dict[str, Any]
        sli: dict[str, Any]
        if self.guide.uptime is not None:
            line, objective = self.guide.uptime
            check = self.health_checks()[0]
            slo = {"name": "availability", "objective": objective, "window": "30d"}
            slos.append(Note({**slo, "sli": {"check": check}}, f"line {line}: {objective} uptime"))
        for row in self.sla:
            path = todo(f"{row.klass.upper().replace('-', '_')}_PATH")
            sli = {"requests": REQUESTS, "where": {"route": path}}
            slo = {
                "name": f"{row.klass}-latency",
                "objective": _PERCENTILE_OBJECTIVE.get(row.percentile or "p95", "95%"),
                "window": "7d",
                "sli": {**sli, "good": {"latency_below": row.target}},
            }
            slos.append(Note(slo, f"line {row.line}: {row.label} {row.percentile} < {row.target}"))
        if self.guide.error_rate is not None:
            line, rate = self.guide.error_rate
            objective = f"{Decimal(100) - Decimal(rate.rstrip('%'))}%"
            slo = {"name": "errors", "objective": objective, "window": "30d"}
            sli = {"requests": REQUESTS, "good": {"status_below": 500}}
            slos.append(Note({**slo, "sli": sli}, f"line {line}: error rate < {rate}"))
        return slos

    def _loadtest(self) -> dict[str, Any]:
        targets: dict[str, dict[str, str | None]] = {}
        sources: dict[str, list[str]] = {}
        for row in self.sla:
            targets.setdefault(row.klass, {})[row.percentile or "p95"] = row.target
            sources.setdefault(row.klass, []).append(f"line {row.line}: {row.label}")
        requests = [
            {
                "name": klass,
                "class": klass,
                "method": "POST" if _WRITE.search(klass) else "GET",
                "path": todo(f"{klass.upper().replace('-', '_')}_PATH"),
            }
            for klass in targets or {"default": {}}
        ]
        sla: dict[str, Any] = {
            klass: Note(target, "; ".join(sources[klass])) for klass, target in targets.items()
        } or {"default": {"p95": Note(todo("P95_TARGET"), "the guide states no p95 target")}}
        if self.guide.error_rate is not None:
            line, rate = self.guide.error_rate
            sla["error_rate"] = Note(rate, f"line {line}")
        loadtest: dict[str, Any] = {
            "name": LOADTEST,
            "base_url": "${base_url}",
            "rate": Note("10/s", "TODO: your expected peak arrival rate"),
            "duration": "60s",
        }
        if self.guide.users is not None:
            line, users = self.guide.users
            loadtest["users"] = Note(
                users, f"line {line}; the closed model (the weaker one): drop it to send at `rate`"
            )
        return {
            **loadtest,
            "requests": Note(
                requests,
                above=(
                    "one request per endpoint class of the SLA: TODO give each its path"
                    if targets
                    else "TODO: the requests of your peak traffic, each with a class",
                ),
            ),
            "sla": sla,
        }

    def _backup(self) -> dict[str, Any]:
        hints = self.guide.backup
        source: dict[str, Any]
        if self.backup == "main-db":
            dsn = env_or_todo(self.guide, "DATABASE_URL")
            assumed = "" if hints.postgres else "TODO: the guide does not name PostgreSQL; check"
            source = {"postgres": Note({"dsn": dsn}, assumed)}
        else:
            source = {"files": {"paths": [todo("BACKUP_PATH")]}}
        where = f"the guide, line {hints.lines[0]}" if hints.lines else ""
        backup: dict[str, Any] = {"name": self.backup, **source}
        backup["every"] = Note(hints.every or "1d", where or "TODO: how often")
        backup["to"] = Note({"dir": ".golive/backups"}, "or s3: {bucket: …, prefix: …}")
        if hints.retention:
            keep = {"last": 4, "daily": 0, "weekly": 0, "monthly": 0, **dict(hints.retention)}
            backup["retention"] = Note(keep, f"the guide, line {hints.retention_line}")
        if hints.rpo:
            backup["rpo"] = hints.rpo
        if hints.rto:
            backup["rto"] = hints.rto
        backup["verify"] = Note(
            {"every": "1d"}, "TODO: add `expect:` queries that prove a restore is whole"
        )
        return backup


def _value(item: Any) -> Any:
    return item.value if isinstance(item, Note) else item
