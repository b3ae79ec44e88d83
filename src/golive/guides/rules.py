"""The mapping rules: which checklist lines a built-in check, health checks, a load test or a
backup drill can prove, the category of each line, and which lines are recurring chores or
contingency steps rather than go-live conditions.

Rules are tried in order over the line's plain text (case-insensitive); the first match wins and
a line no rule matches becomes a manual sign-off. Each rule carries a line it maps (tested).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from golive.guides.model import ChecklistLine
from golive.guides.text import cadence

Kind = Literal["builtin", "checks", "loadtest", "backup", "manual"]
Category = Literal["technical", "operational", "business"]


@dataclass(frozen=True)
class Rule:
    name: str  # the rule, and for built-ins the built-in it runs
    kind: Kind
    pattern: re.Pattern[str]
    example: str  # a guide line it maps


def _rule(name: str, kind: Kind, pattern: str, example: str) -> Rule:
    return Rule(name, kind, re.compile(pattern, re.I), example)


RULES: tuple[Rule, ...] = (
    _rule(
        "tls",
        "builtin",
        r"\b(ssl|tls)\b.*\b(cert\w*|valid|install\w*|configur\w*|enabled|renew\w*)"
        r"|\bcertificates?\b.*\b(install\w*|valid|configur\w*|renew\w*)",
        "SSL certificates installed",
    ),
    _rule(
        "https_redirect",
        "builtin",
        r"\bhttps\b.*\b(redirect\w*|enforc\w*|enabled|only|everywhere)|\bredirect\w*\b.*\bhttps\b",
        "HTTPS enabled on all endpoints",
    ),
    _rule(
        "security_headers",
        "builtin",
        r"security headers?|\bhsts\b|content[- ]security[- ]policy|\bcsp\b",
        "Security headers configured",
    ),
    _rule("rate_limit", "builtin", r"\brate[- ]?limit\w*|\bthrottl\w*", "Rate limiting configured"),
    _rule(
        "env",
        "builtin",
        r"\benv(ironment)?[- ]var\w*|\benv vars?\b|\.env\b"
        r"|\bsecrets?\b.*\b(configur\w*|set|stored|managed|in place)",
        "Environment variables configured",
    ),
    _rule(
        "notify_test",
        "builtin",
        r"\balert\w*\b.*\b(functional|tested|test|working|active|configured|deliver\w*|reach\w*)\b",
        "Alerting systems functional",
    ),
    _rule(
        "migration_lint",
        "builtin",
        r"\bmigrations?\b.*\b(tested|safe|lint\w*|reviewed|verified|validated|checked|dry[- ]run)",
        "Database migrations tested",
    ),
    _rule(
        "backup",
        "backup",
        r"\bbackups?\b.*\b(test\w*|verif\w*|restor\w*|operational|configured|working|in place"
        r"|drill\w*|complet\w*)|\b(verif\w*|test\w*)\b.*\bbackups?\b"
        r"|\brestor\w*\b.*\b(test\w*|drill\w*|verif\w*)",
        "Backup procedures verified",
    ),
    _rule(
        "loadtest",
        "loadtest",
        r"\b(load|performance|stress)[- ]test\w*|\bbenchmarks?\b|\bwithin (the )?slas?\b"
        r"|\bslas?\b.*\bmet\b|\bresponse times?\b|\bperformance targets?\b.*\bmet\b|\bp(95|99)\b",
        "Performance metrics within SLA",
    ),
    _rule(
        "health",
        "checks",
        r"\bhealth[- ]?checks?\b|\bhealth endpoints?\b|\buptime monitoring\b",
        "Application health checks passing",
    ),
    _rule(
        "services",
        "checks",
        r"\b(database|db|postgres\w*|cache|redis)\b.*\b(running|up|reachable|available|healthy)\b",
        "Database and cache services running",
    ),
    _rule(
        "dns",
        "checks",
        r"\b(dns|domain)\b.*\b(configur\w*|updated|complet\w*|set ?up|verified|propagat\w*|cut ?over)",
        "Domain configuration completed",
    ),
)


def match_rule(text: str) -> Rule | None:
    """The first rule whose pattern is found in ``text``."""
    return next((rule for rule in RULES if rule.pattern.search(text)), None)


# Category: the nearest heading below the title that names one of these decides (its leftmost
# keyword wins: "Accessibility Compliance" is technical); when no heading does, the line's own
# words decide the same way; otherwise technical (the gate's default).
_CATEGORY_WORDS: tuple[tuple[Category, str], ...] = (
    (
        "technical",
        r"technical|security|secure|infrastructure|performance|code quality|database"
        r"|accessibility|scalab\w*|network|ci/cd|pipeline|ssl|tls|https|cdn|dns",
    ),
    (
        "operational",
        r"operation\w*|monitoring|observability|incident|backups?|disaster recovery"
        r"|team|training|trained|documentation|runbooks?|support|maintenance"
        r"|on-call|alert\w*|rollback|logging|escalation",
    ),
    ("business", r"business|legal|stakeholders?|sign[- ]?off|compliance|privacy|terms of service"),
)
_CATEGORY = re.compile(
    "|".join(f"(?P<{name}>\\b(?:{words}))" for name, words in _CATEGORY_WORDS), re.I
)


def _category_of(text: str) -> Category | None:
    match = _CATEGORY.search(text)
    if match is None:
        return None
    for name, _ in _CATEGORY_WORDS:
        if match.group(name):
            return name
    return None  # pragma: no cover - a match is always one of the groups


def category(line: ChecklistLine) -> tuple[Category, str]:
    """The line's category and why: ``("business", 'heading "Business Readiness"')``."""
    for heading in reversed([h for h in line.path if h.level > 1]):
        found = _category_of(heading.text)
        if found:
            return found, f'heading "{heading.text}"'
    found = _category_of(line.text)
    if found:
        return found, "the line's words"
    return "technical", "default"


_PREFIX = re.compile(r"^(daily|weekly|monthly|quarterly|yearly|annually)\b\s*[:\-–]", re.I)
_CONTINGENCY = re.compile(r"\brollback\b|\broll back\b|\bdisaster\b|\bincident\b", re.I)


def recurring(line: ChecklistLine) -> str | None:
    """The period of a recurring chore — "Weekly: review logs", or any line under a "Daily
    Operations" heading — as a duration ("7d"); None for a one-off go-live condition."""
    if _PREFIX.match(line.text):
        return cadence(line.text)
    for heading in line.path[-2:]:
        found = cadence(heading.text)
        if found:
            return found
    return None


def contingent(line: ChecklistLine) -> bool:
    """A step of a rollback or incident checklist: done when things go wrong, not before go-live."""
    return bool(line.path) and bool(_CONTINGENCY.search(line.path[-1].text))
