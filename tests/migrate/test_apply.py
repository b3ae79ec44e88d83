"""``golive migrate apply``: backup, the migration command, integrity checks on the live
database, and on failure the backup restored under the source's name (row counts equal, the
failed database kept), with real PostgreSQL, pg_dump / pg_restore and psql."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from golive.clock import SystemClock
from golive.engine import open_store
from golive.exceptions import UsageError
from golive.migrate.apply import ApplyReport, apply_migration
from tests.devkit.backup import backup_config
from tests.migrate.conftest import config, counts


async def apply(
    tmp_path: Path, dsn: str, sql: str, *, on_error_stop: bool = True, **options: bool
) -> ApplyReport:
    migration = tmp_path / "0042.sql"
    migration.write_text(sql)
    loaded = config(tmp_path, dsn)
    store = open_store(loaded)
    lines: list[str] = []
    try:
        return await apply_migration(
            loaded,
            "main-db",
            [
                "psql",
                "-X",
                "-q",
                "-v",
                f"ON_ERROR_STOP={int(on_error_stop)}",
                "-f",
                str(migration),
                dsn,
            ],
            store=store,
            clock=SystemClock(),
            environ={"PATH": "/usr/bin:/bin"},
            echo=lines.append,
            **options,
        )
    finally:
        store.close()


async def test_a_good_migration_is_applied_and_checked(tmp_path: Path, source: str) -> None:
    report = await apply(
        tmp_path, source, "ALTER TABLE pgbench_accounts ADD COLUMN note text;\nSELECT 'done';\n"
    )

    assert report.ok, report.error
    assert (report.exit_code, report.restored) == (0, False)
    names = {c.name for c in report.checks}
    assert {"readable public.pgbench_accounts", "indexes valid", "expect 1"} <= names
    assert "foreign key pgbench_accounts.pgbench_accounts_bid_fkey" in names
    assert "done" in "\n".join(report.output)


async def test_a_migration_that_fails_halfway_is_restored_with_equal_row_counts(
    tmp_path: Path, source: str
) -> None:
    before = counts(source)
    halfway = (
        "UPDATE pgbench_accounts SET abalance = abalance + 100;\n"  # commits (no BEGIN)
        "DELETE FROM pgbench_history;\n"
        "ALTER TABLE pgbench_accounts ADD COLUMN paid boolean;\n"
        "ALTER TABLE pgbench_branches ADD COLUMN region text NOT NULL;\n"  # fine: ...
        "SELECT 1 / 0;\n"  # fails here
    )

    report = await apply(tmp_path, source, halfway)

    assert not report.ok
    assert report.exit_code == 3  # psql: an error in a script with ON_ERROR_STOP
    assert report.error == "the migration command exited 3"
    assert report.restored and report.kept_as is not None
    assert counts(source) == before  # the UPDATE is undone: abalance back to its sum
    assert all(c.ok for c in report.restore_checks)
    with psycopg.connect(source) as connection:
        columns = connection.execute(
            "SELECT count(*) FROM information_schema.columns WHERE column_name = 'paid'"
        ).fetchone()
    assert columns == (0,)
    kept = source.rsplit("/", 1)[0] + "/" + report.kept_as
    assert counts(kept)[3] == before[3] + 100 * before[0]  # the failed state, kept to look at


async def test_a_migration_that_exits_0_but_leaves_an_invalid_index_is_restored(
    tmp_path: Path, source: str
) -> None:
    # without ON_ERROR_STOP psql goes on after the failed build and exits 0
    report = await apply(
        tmp_path,
        source,
        "CREATE UNIQUE INDEX CONCURRENTLY bid_once ON pgbench_accounts (bid);\n",
        on_error_stop=False,
    )

    assert report.exit_code == 0
    assert not report.ok and report.restored
    assert report.error is not None and "indexes valid: invalid: bid_once" in report.error
    with psycopg.connect(source) as connection:
        left = connection.execute("SELECT count(*) FROM pg_class WHERE relname = 'bid_once'")
        assert left.fetchone() == (0,)


async def test_rows_that_break_a_foreign_key_fail_the_checks(tmp_path: Path, source: str) -> None:
    orphaning = (
        "SET session_replication_role = replica;\n"  # foreign key triggers off
        "DELETE FROM pgbench_branches WHERE bid = 1;\n"
    )

    report = await apply(tmp_path, source, orphaning, restore_on_failure=False)

    assert not report.ok and not report.restored
    failed = {c.name: c.detail for c in report.failed}
    assert failed["foreign key pgbench_accounts.pgbench_accounts_bid_fkey"] == (
        "100000 rows of pgbench_accounts have no row in pgbench_branches"
    )
    assert counts(source)[1] == 0  # left as the migration left it


async def test_an_entry_that_is_not_postgres_is_refused(tmp_path: Path) -> None:
    loaded = backup_config(
        tmp_path, {"name": "uploads", "files": {"paths": ["media"]}, "to": {"dir": "b"}}
    )
    store = open_store(loaded)
    with pytest.raises(UsageError, match="needs a PostgreSQL backup"):
        await apply_migration(
            loaded, "uploads", ["true"], store=store, clock=SystemClock(), environ={}
        )
    store.close()
