"""``migration_lint`` — migrations are safe to apply: ``golive migrate lint`` over ``paths``
(files or directories, relative to the config file) finds no violation.

GO when no violation is open (one accepted by a ``-- golive: ignore RULE reason`` comment or
left out by ``ignore`` does not count); NO-GO naming the first violations, each with
file:line:col, its rule and the fix. A path that does not exist or is not SQL is NO-GO with
the reason. The evidence holds the files read, the counts, and the first violations.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from golive.exceptions import UsageError
from golive.gate.builtins.base import Args, Builtin, Context, Finding
from golive.migrate.catalog import RULES

SHOWN = 3  # violations named in the reason
KEPT = 20  # violations kept in the evidence


class MigrationLintArgs(Args):
    paths: list[str] = Field(min_length=1)
    ignore: list[str] = Field(default_factory=list)

    @field_validator("ignore")
    @classmethod
    def _known_rules(cls, ignore: list[str]) -> list[str]:
        for rule in ignore:
            if rule not in RULES:
                raise ValueError(str(UsageError.unknown("rule", rule, list(RULES))))
        return ignore


async def run(args: MigrationLintArgs, ctx: Context) -> Finding:
    import asyncio  # imported on use, as the parser: loading a config never needs them

    from golive.migrate.lint import lint_paths

    base = ctx.loaded.base_dir
    paths = [base / Path(p) for p in args.paths]
    try:
        report = await asyncio.to_thread(lint_paths, paths, ignore=args.ignore, root=base)
    except UsageError as exc:
        return Finding(False, f"cannot lint the migrations: {exc}", {"paths": args.paths})
    found = report.open
    evidence = {
        "files": list(report.files),
        "violations": len(found),
        "accepted": len(report.violations) - len(found),
        "first": [v.as_json() for v in found[:KEPT]],
    }
    files = f"{len(report.files)} migration file{'s' if len(report.files) != 1 else ''}"
    if not found:
        return Finding(True, f"{files} linted: no violations", evidence)
    named = "; ".join(f"{v} (fix: {v.rewrite})" for v in found[:SHOWN])
    more = f"; and {len(found) - SHOWN} more" if len(found) > SHOWN else ""
    reason = f"{len(found)} violation(s) in {files}: {named}{more}"
    return Finding(False, reason, evidence)


BUILTIN = Builtin(
    name="migration_lint",
    args=MigrationLintArgs,
    run=run,
    summary="migrations are safe to apply: no violation of the migration linter's rules",
)
