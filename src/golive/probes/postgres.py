"""``postgres:`` — connect with psycopg 3; connections, recovery and lag, and one query's value.

The session is autocommit and read-only (``default_transaction_read_only``) with a
``statement_timeout`` of the check's timeout, both sent as startup options, so they cost no
round trip. The server statistics and the optional query go out together in one pipeline. The
DSN's password never appears in a message: errors never echo the DSN, and anything that looks
like its password is masked all the same.
"""

from __future__ import annotations

import datetime as dt
import decimal
import ipaddress
import math
import re
import uuid
from typing import TYPE_CHECKING, Any

from pydantic import Field

from golive.probes.base import ProbeContext, ProbeError, ProbeKind, ProbeSpec

if TYPE_CHECKING:
    import psycopg


class PostgresSpec(ProbeSpec):
    dsn: str = Field(min_length=1)  # never validated here: a validation error would echo it
    query: str | None = None

    def describe(self) -> str:
        import psycopg  # imported on use: a config without PostgreSQL checks never loads it
        from psycopg.conninfo import conninfo_to_dict

        try:
            params = conninfo_to_dict(self.dsn)
        except psycopg.Error:
            return "postgres"
        host, port = params.get("host") or "localhost", params.get("port") or 5432
        return f"postgres {host}:{port}/{params.get('dbname') or params.get('user') or ''}"


FIELDS = {
    "connections": "int: client backends in pg_stat_activity, this probe's own included",
    "max_connections": "int: the server's max_connections",
    "connections_used_pct": "double: connections / max_connections * 100",
    "in_recovery": "bool: the server is a standby (pg_is_in_recovery())",
    "replication_lag_s": "double|null: on a standby, seconds since the last replayed commit",
    "server_version": "string: the server's version, e.g. 15.18",
    "value": "dyn: first column of the first row of query (numbers, strings, ISO dates), or null",
}

STATS_SQL = """
SELECT
  (SELECT count(*) FROM pg_stat_activity
    WHERE backend_type = 'client backend' OR (backend_type IS NULL AND datid IS NOT NULL)),
  current_setting('max_connections')::int,
  pg_is_in_recovery(),
  CASE WHEN pg_is_in_recovery()
    THEN extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END
"""


def _secrets(dsn: str) -> list[str]:
    """Everything in ``dsn`` that may be a password, longest first."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    found = re.findall(r"://[^/@]*?:([^/@]+)@", dsn)
    found += re.findall(r"password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", dsn)
    try:
        password = conninfo_to_dict(dsn).get("password")
    except psycopg.Error:
        password = None
    if password:
        found.append(str(password))
    return sorted({s.strip("'") for s in found if s.strip("'")}, key=len, reverse=True)


def _message(exc: BaseException, dsn: str) -> str:
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None)
    text = " ".join((primary or str(exc) or type(exc).__name__).split())
    text = re.sub(r"^connection (failed|is bad): ", "", text)
    for secret in _secrets(dsn):
        text = text.replace(secret, "***")
    return text


def _options(dsn: str, timeout: float) -> str:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        existing = conninfo_to_dict(dsn).get("options") or ""
    except psycopg.Error:
        existing = ""
    ours = f"-c default_transaction_read_only=on -c statement_timeout={int(timeout * 1000)}"
    return f"{existing} {ours}".strip()


def _version(number: int) -> str:
    if number >= 100000:
        return f"{number // 10000}.{number % 10000}"
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


async def run(spec: PostgresSpec, ctx: ProbeContext) -> dict[str, Any]:
    import psycopg

    try:
        conn = await psycopg.AsyncConnection.connect(
            spec.dsn,
            autocommit=True,
            connect_timeout=max(1, math.ceil(ctx.timeout)),
            options=_options(spec.dsn, ctx.timeout),
        )
    except psycopg.Error as exc:
        raise ProbeError(f"cannot connect: {_message(exc, spec.dsn)}") from exc
    try:
        return await _measure(conn, spec)
    finally:
        await conn.close()


async def _measure(conn: psycopg.AsyncConnection[Any], spec: PostgresSpec) -> dict[str, Any]:
    import psycopg

    fields: dict[str, Any] = {"server_version": _version(conn.info.server_version)}
    query_error: psycopg.Error | None = None
    try:
        async with conn.pipeline() as pipeline:
            stats = await conn.execute(STATS_SQL)
            user = await conn.execute(spec.query) if spec.query else None
            try:
                await pipeline.sync()
            except psycopg.Error as exc:
                query_error = exc
        row = await stats.fetchone()
    except psycopg.Error as exc:
        message = _message(query_error or exc, spec.dsn)
        raise ProbeError(f"server statistics failed: {message}", connected=True, **fields) from exc
    if row is None:  # pragma: no cover - one aggregate row, always
        raise ProbeError("server statistics returned no row", connected=True, **fields)
    connections, max_connections, in_recovery, lag = row
    fields |= {
        "connections": connections,
        "max_connections": max_connections,
        "connections_used_pct": connections / max_connections * 100 if max_connections else 0.0,
        "in_recovery": in_recovery,
        "replication_lag_s": lag,
        "value": None,
    }
    if query_error is not None:
        message = f"query failed: {_message(query_error, spec.dsn)}"
        raise ProbeError(message, connected=True, **fields) from query_error
    if user is not None and user.description:
        row = await user.fetchone()
        fields["value"] = to_json(row[0]) if row else None
    return fields


def to_json(value: Any) -> Any:
    """A database value as something JSON (and CEL) can hold."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, uuid.UUID | ipaddress.IPv4Address | ipaddress.IPv6Address):
        return str(value)
    return str(value)


KIND = ProbeKind(
    name="postgres",
    spec=PostgresSpec,
    fields=FIELDS,
    default_expect=("ok_connect",),
    run=run,
    summary="a PostgreSQL connection, its server statistics and an optional query's value",
)
