"""The ``postgres`` probe against a real PostgreSQL (devkit's ``postgres_server``)."""

from __future__ import annotations

import asyncio
import gc
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import psycopg
import pytest

from devkit.ports import free_port
from devkit.servers import PostgresServer
from golive.probes import postgres
from golive.probes.base import ProbeContext, ProbeError
from golive.probes.postgres import PostgresSpec
from golive.probes.registry import builtin_kinds

PASSWORD = "s3cret-Pa55"


@pytest.fixture(scope="module")
def dsn(postgres_server: PostgresServer) -> str:
    """A database of this module's own, with a table and a role that has a password."""
    url = postgres_server.create_database("probe_postgres")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE orders (id int, total numeric, placed timestamptz)")
        conn.execute("INSERT INTO orders VALUES (1, 12.50, '2024-05-06 07:08:09+00')")
        conn.execute(f"CREATE ROLE probe_reader LOGIN PASSWORD '{PASSWORD}'")
        conn.execute("GRANT SELECT ON orders TO probe_reader")
    return url


@pytest.fixture
def reader_dsn(postgres_server: PostgresServer, dsn: str) -> str:
    return f"postgresql://probe_reader:{PASSWORD}@127.0.0.1:{postgres_server.port}/probe_postgres"


async def probe(dsn: str, query: str | None = None, *, within: float = 5) -> dict[str, Any]:
    return await postgres.run(PostgresSpec(dsn=dsn, query=query), ProbeContext(timeout=within))


def client_backends(dsn: str, since: datetime) -> int:
    """Client connections to this database that started at ``since`` or later (not this one):
    other tests' connections, which may end at any moment on a shared server, do not count."""
    with psycopg.connect(dsn) as conn:
        sql = (
            "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"
            " AND datname = current_database() AND backend_start >= %s"
            " AND pid <> pg_backend_pid()"
        )
        row = conn.execute(sql, (since,)).fetchone()
        assert row is not None
        return int(row[0])


def server_now(dsn: str) -> datetime:
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT clock_timestamp()").fetchone()
        assert row is not None
        return row[0]  # type: ignore[no-any-return]


@pytest.fixture
def two_idle_connections(dsn: str) -> Iterator[None]:
    with psycopg.connect(dsn), psycopg.connect(dsn):
        yield


async def test_it_reads_connections_and_max_connections(
    dsn: str, two_idle_connections: None
) -> None:
    result = await probe(dsn)

    assert result["connections"] >= 3  # the two idle ones and the probe's own
    assert result["max_connections"] == 100
    assert result["connections_used_pct"] == pytest.approx(result["connections"])


async def test_a_role_without_stats_privileges_still_counts_other_backends(
    reader_dsn: str, two_idle_connections: None
) -> None:
    result = await probe(reader_dsn)  # pg_stat_activity hides backend_type from it

    assert result["connections"] >= 3


async def test_a_primary_is_not_in_recovery_and_has_no_lag(dsn: str) -> None:
    result = await probe(dsn)

    assert result["in_recovery"] is False
    assert result["replication_lag_s"] is None


async def test_it_reports_the_server_version_as_major_dot_minor(dsn: str) -> None:
    result = await probe(dsn)

    with psycopg.connect(dsn) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    assert row is not None
    assert re.fullmatch(r"\d+\.\d+", result["server_version"])
    assert str(row[0]).startswith(result["server_version"])


async def test_without_a_query_the_value_is_null(dsn: str) -> None:
    assert (await probe(dsn))["value"] is None


async def test_the_value_is_the_first_column_of_the_first_row(reader_dsn: str) -> None:
    result = await probe(reader_dsn, "SELECT total, id FROM orders ORDER BY id")

    assert result["value"] == 12.5


@pytest.mark.parametrize(
    ("query", "value"),
    [
        ("SELECT 42", 42),
        ("SELECT 1.25::numeric", 1.25),
        ("SELECT 'ready'", "ready"),
        ("SELECT true", True),
        ("SELECT NULL", None),
        ("SELECT 1 WHERE false", None),  # no row
        ("SELECT placed FROM orders", "2024-05-06T07:08:09+00:00"),
        ("SELECT date '2024-05-06'", "2024-05-06"),
        ("SELECT interval '90 seconds'", 90.0),
        ("""SELECT '{"ok": [1, 2.5]}'::jsonb""", {"ok": [1, 2.5]}),
        ("SELECT ARRAY[1.5, 2]::numeric[]", [1.5, 2.0]),
        ("SELECT 'abc'::bytea", "616263"),
        ("SELECT '10.0.0.1'::inet", "10.0.0.1"),
        (
            "SELECT 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        ),
    ],
)
async def test_values_become_json_friendly(dsn: str, query: str, value: Any) -> None:
    assert (await probe(dsn, query))["value"] == value


async def test_a_failing_query_is_an_error_not_a_crash(dsn: str) -> None:
    with pytest.raises(ProbeError) as caught:
        await probe(dsn, "SELECT count(*) FROM missing_table")

    assert caught.value.message == 'query failed: relation "missing_table" does not exist'
    assert caught.value.connected is True
    assert caught.value.fields["max_connections"] == 100  # measured before the query failed


async def test_the_session_is_read_only(dsn: str) -> None:
    with pytest.raises(ProbeError) as caught:
        await probe(dsn, "CREATE TABLE sneaky (id int)")

    assert caught.value.message == (
        "query failed: cannot execute CREATE TABLE in a read-only transaction"
    )


async def test_a_slow_query_is_stopped_by_the_statement_timeout(dsn: str) -> None:
    with pytest.raises(ProbeError) as caught:
        await probe(dsn, "SELECT pg_sleep(5)", within=0.3)

    assert caught.value.message == "query failed: canceling statement due to statement timeout"


async def test_it_closes_its_connection(dsn: str) -> None:
    other = psycopg.connect(dsn)  # another test's connection, ending while this one runs
    since = server_now(dsn)

    await probe(dsn)
    with pytest.raises(ProbeError):
        await probe(dsn, "SELECT * FROM missing_table")
    other.close()

    for _ in range(50):  # the server notices the disconnection a moment later
        if client_backends(dsn, since) == 0:
            break
        await asyncio.sleep(0.02)
    assert client_backends(dsn, since) == 0


async def test_a_cancelled_probe_leaves_no_open_connection_behind(dsn: str) -> None:
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2):
            await probe(dsn, "SELECT pg_sleep(1)")
    gc.collect()  # an unclosed AsyncConnection would warn (and fail the test) here


async def test_a_closed_port_is_an_error_that_does_not_show_the_password() -> None:
    port = free_port()
    dsn = f"postgresql://probe_reader:{PASSWORD}@127.0.0.1:{port}/probe_postgres"

    with pytest.raises(ProbeError) as caught:
        await probe(dsn)

    assert caught.value.message.startswith(
        f'cannot connect: connection to server at "127.0.0.1", port {port} failed: '
        "Connection refused"
    )
    assert caught.value.connected is False
    assert PASSWORD not in caught.value.message


async def test_the_password_is_masked_even_where_the_server_repeats_it(
    postgres_server: PostgresServer,
    dsn: str,  # creates the role probe_reader (this test alone, or first, failed without it)
) -> None:
    dsn = f"postgresql://probe_reader:{PASSWORD}@127.0.0.1:{postgres_server.port}/{PASSWORD}"

    with pytest.raises(ProbeError) as caught:
        await probe(dsn)

    assert caught.value.message.endswith('FATAL: database "***" does not exist')


async def test_an_invalid_dsn_is_an_error() -> None:
    with pytest.raises(ProbeError) as caught:
        await probe(f"host=127.0.0.1 port=abc password={PASSWORD}")

    assert caught.value.message == (
        'cannot connect: invalid integer value "abc" for connection option "port"'
    )


def test_describe_shows_where_without_the_password() -> None:
    spec = PostgresSpec(dsn=f"postgresql://app:{PASSWORD}@db.internal:6432/orders")

    assert spec.describe() == "postgres db.internal:6432/orders"


def test_it_is_registered_with_its_default_expectation() -> None:
    kind = builtin_kinds()["postgres"]

    assert kind.default_expect == ("ok_connect",)
    assert set(kind.fields) == {
        "connections",
        "max_connections",
        "connections_used_pct",
        "in_recovery",
        "replication_lag_s",
        "server_version",
        "value",
    }
