"""Judging one readiness item: a built-in measurement, checks that pass now, fresh evidence of
a load test or a restore drill, or a signed, unexpired sign-off."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from golive.config.gate import GateItem
from golive.engine.results import CheckResult
from golive.gate.builtins.base import Builtin, Context, Finding
from golive.gate.model import ItemResult, Status
from golive.records import EvidenceRecord
from golive.store.gate import SignoffView

ITEM_TIME_LIMIT = 120.0  # seconds: a built-in that hangs past this fails, the run goes on
LOADTEST_FRESH = timedelta(days=7)  # how old a passing load test may be when `fresh` is unset


def _result(
    item: GateItem,
    status: Status,
    reason: str,
    kind: str,
    *,
    evidence: dict[str, Any] | None = None,
    warnings: tuple[str, ...] = (),
    seconds: float = 0.0,
) -> ItemResult:
    return ItemResult(
        item.name,
        item.category,
        item.required,
        status,
        reason,
        evidence or {},
        warnings,
        kind,
        seconds,
    )


async def judge_builtin(
    item: GateItem, builtin: Builtin[Any], args: BaseModel, ctx: Context
) -> ItemResult:
    kind = f"run:{builtin.name}"
    started = time.perf_counter()
    try:
        async with asyncio.timeout(ITEM_TIME_LIMIT):
            finding: Finding = await builtin.run(args, ctx)
    except TimeoutError:
        finding = Finding(False, f"did not finish within {ITEM_TIME_LIMIT:.0f}s")
    except Exception as exc:  # a built-in's bug fails its item, never the run
        finding = Finding(False, f"unexpected {type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - started
    secrets = ctx.secrets
    status: Status = "pass" if finding.ok else ("fail" if builtin.supported else "unsupported")
    return _result(
        item,
        status,
        secrets.redact(finding.reason),
        kind,
        evidence=secrets.redact_data(finding.evidence),
        warnings=tuple(secrets.redact(w) for w in finding.warnings),
        seconds=seconds,
    )


def judge_checks(item: GateItem, results: Mapping[str, CheckResult]) -> ItemResult:
    names = item.checks or []
    failed = [results[n] for n in names if not results[n].ok]
    evidence = {
        n: {
            "ok": results[n].ok,
            "latency_ms": results[n].latency_ms,
            "taken_at": results[n].taken_at.isoformat(),
        }
        for n in names
    }
    if not failed:
        passing = "1 check passes" if len(names) == 1 else f"all {len(names)} checks pass"
        return _result(item, "pass", f"{passing} now", "checks", evidence=evidence)
    reasons = "; ".join(
        f"{r.name}: {r.error or ', '.join(f.expect for f in r.failed)}" for r in failed
    )
    return _result(
        item,
        "fail",
        f"{len(failed)} of {len(names)} checks fail: {reasons}",
        "checks",
        evidence=evidence,
    )


def judge_loadtest(item: GateItem, latest: EvidenceRecord | None, now: datetime) -> ItemResult:
    """GO on the newest run of the load test when it passed within `fresh` (7 days unset)."""
    name = item.loadtest
    if latest is None:
        return _result(item, "fail", f"no run yet: golive loadtest {name}", "loadtest")
    values = latest.values
    evidence = {
        "taken_at": latest.taken_at.isoformat(),
        "verdict": values.get("verdict"),
        "asked_rate": values.get("asked_rate"),
        "achieved_rate": values.get("achieved_rate"),
        "sla": values.get("sla", []),
    }
    ago = _days(now - latest.taken_at)
    if not latest.ok:
        return _result(
            item,
            "fail",
            f"the last run ({ago} ago) failed: {latest.error}",
            "loadtest",
            evidence=evidence,
        )
    fresh = item.fresh or LOADTEST_FRESH
    if latest.taken_at + fresh < now:
        since = _days(now - latest.taken_at - fresh)
        return _result(
            item,
            "stale",
            f"passed {ago} ago, stale since {since} (fresh: {_days(fresh)}): golive loadtest {name}",
            "loadtest",
            evidence=evidence,
        )
    held = sum(1 for row in evidence["sla"] if row.get("ok"))
    return _result(
        item,
        "pass",
        f"passed {ago} ago at {values.get('achieved_rate')}/s: {held} SLA target(s) held",
        "loadtest",
        evidence=evidence,
    )


def judge_backup(item: GateItem, drill: EvidenceRecord | None, now: datetime) -> ItemResult:
    """GO when the newest restore drill of the backup passed within ``fresh`` (or before its
    evidence expires); NO-GO saying why otherwise."""
    name = item.backup
    if drill is None:
        return _result(
            item, "fail", f"no restore drill of {name} yet: golive backup verify {name}", "backup"
        )
    age = now - drill.taken_at
    evidence = {
        "drill_at": drill.taken_at.isoformat(),
        "ok": drill.ok,
        "backup_id": drill.values.get("backup_id"),
        "restore_seconds": drill.values.get("restore_seconds"),
        "checks": len(drill.values.get("checks", [])),
    }
    fresh = now < drill.taken_at + item.fresh if item.fresh else now < drill.expires_at
    if not drill.ok:
        reason = f"the last restore drill of {name} failed {_days(age)} ago: {drill.error}"
        return _result(item, "fail", reason, "backup", evidence=evidence)
    if not fresh:
        reason = f"the last restore drill of {name} passed {_days(age)} ago, too long ago"
        return _result(item, "stale", reason, "backup", evidence=evidence)
    reason = f"restore drill of {name} passed {_days(age)} ago: {drill.values.get('reason', '')}"
    return _result(item, "pass", reason, "backup", evidence=evidence)


def judge_manual(item: GateItem, signoff: SignoffView | None, now: datetime) -> ItemResult:
    if signoff is None:
        owner = f" (owner: {item.owner})" if item.owner else ""
        how = f'golive gate sign "{item.name}" --by NAME'
        return _result(item, "unsigned", f"not signed{owner}: {how}", "manual")
    evidence = {
        "signed_by": signoff.signed_by,
        "signed_at": signoff.signed_at.isoformat(),
        "expires_at": signoff.expires_at.isoformat(),
        "note": signoff.note,
    }
    if not signoff.valid(now):
        ago = _days(now - signoff.expires_at)
        return _result(
            item,
            "stale",
            f"signed by {signoff.signed_by}, expired {ago} ago",
            "manual",
            evidence=evidence,
        )
    left = _days(signoff.expires_at - now)
    return _result(
        item,
        "pass",
        f"signed by {signoff.signed_by}, valid {left} more",
        "manual",
        evidence=evidence,
    )


def _days(span: timedelta) -> str:
    days = span.days
    if days >= 1:
        return f"{days} days"
    if span >= timedelta(hours=1):
        return f"{int(span.total_seconds() // 3600)} hours"
    return f"{max(0, int(span.total_seconds() // 60))} minutes"
