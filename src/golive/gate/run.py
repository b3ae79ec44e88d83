"""`golive gate`: judge every readiness item from fresh evidence and keep the verdict.

Items run concurrently, except `rate_limit` items, which run alone at the end: their bursts
would otherwise earn 429s for the other items measuring the same server. The checks named by
`checks:` items run once, now, and are stored as evidence like `golive check` runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import timedelta

from golive.clock import Clock
from golive.config import LoadedConfig
from golive.config.gate import GateItem
from golive.engine.once import check_once
from golive.gate.builtins.base import Context
from golive.gate.items import (
    judge_backup,
    judge_builtin,
    judge_checks,
    judge_loadtest,
    judge_manual,
)
from golive.gate.model import GateReport, ItemResult
from golive.gate.registry import builtin_checks
from golive.records import DRILL_EVIDENCE, EvidenceRecord, RunSummary
from golive.store import Store
from golive.store.gate import latest_signoffs, record_gate_run

ALONE = frozenset({"rate_limit"})
FRESH_FOR = timedelta(days=1)  # how long a gate item's evidence counts


async def run_gate(
    loaded: LoadedConfig,
    *,
    store: Store,
    clock: Clock,
    environ: Mapping[str, str],
    release: str | None = None,
) -> GateReport:
    """Judge every gate item; store each as evidence and the verdict in the history."""
    config, now = loaded.config, clock.now()
    names = sorted({name for item in config.gate for name in item.checks or []})
    checks = [c for c in config.checks if c.name in names]
    results = (
        {r.name: r for r in await check_once(loaded, checks, clock=clock, store=store)}
        if checks
        else {}
    )
    signed = latest_signoffs(store, loaded.environment)
    context = Context(clock=clock, loaded=loaded, environ=environ, store=store)
    builtins = builtin_checks()

    async def judge(item: GateItem) -> ItemResult:
        if item.run is not None:
            return await judge_builtin(
                item, builtins[item.run], loaded.gate_args[item.name], context
            )
        if item.checks is not None:
            return judge_checks(item, results)
        if item.loadtest is not None:
            return judge_loadtest(item, store.latest("loadtest", item.loadtest), now)
        if item.backup is not None:
            return judge_backup(item, store.latest(DRILL_EVIDENCE, item.backup), now)
        return judge_manual(item, signed.get(item.name), now)

    together = [i for i, item in enumerate(config.gate) if item.run not in ALONE]
    alone = [i for i, item in enumerate(config.gate) if item.run in ALONE]
    judged = await asyncio.gather(*(judge(config.gate[i]) for i in together))
    by_index = dict(zip(together, judged, strict=True))
    for index in alone:
        by_index[index] = await judge(config.gate[index])
    items = tuple(by_index[i] for i in range(len(config.gate)))
    report = GateReport(config.project, loaded.environment, release, now, items)
    _keep(store, loaded, report)
    return report


def _keep(store: Store, loaded: LoadedConfig, report: GateReport) -> None:
    expires = report.at + FRESH_FOR
    records = [
        EvidenceRecord(
            kind="gate",
            subject=item.name,
            ok=item.ok,
            taken_at=report.at,
            expires_at=expires,
            latency_ms=item.seconds * 1000,
            error=None if item.ok else item.reason,
            values={
                "status": item.status,
                "evidence": item.evidence,
                "warnings": list(item.warnings),
            },
        )
        for item in report.items
    ]
    store.record_run(RunSummary("gate", loaded.environment, report.at, report.at), records)
    record_gate_run(
        store,
        loaded.environment,
        report.at,
        report.verdict,
        [i.as_dict() for i in report.items],
        release=report.version,
    )
