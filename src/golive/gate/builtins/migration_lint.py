"""``migration_lint`` — migrations safe to apply. Its engine arrives with the backups stage
(a linter and a safe migrate wrapper); until then the item is validated and reported as not
yet supported, which is NO-GO for a required item, never GO."""

from __future__ import annotations

from pydantic import Field

from golive.gate.builtins.base import Args, Builtin, Context, Finding


class MigrationLintArgs(Args):
    paths: list[str] = Field(min_length=1)


async def run(args: MigrationLintArgs, ctx: Context) -> Finding:
    return Finding(False, "not yet supported: migration linting arrives with the backups stage")


BUILTIN = Builtin(
    name="migration_lint",
    args=MigrationLintArgs,
    run=run,
    summary="migrations are safe to apply (backups stage)",
    supported=False,
)
