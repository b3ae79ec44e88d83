"""``redis:`` — INFO and one read-only command with redis.asyncio, in one round trip.

``command`` is split like a shell line and must start with a read-only command from
``READ_ONLY``; its reply becomes ``value`` (bytes decoded as UTF-8). The client is made for
one run (one connection, no retries) and always closed. The URL's password never appears in
a message or in ``describe()``.
"""

from __future__ import annotations

import shlex
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from golive.probes.base import ProbeContext, ProbeError, ProbeKind, ProbeSpec, os_reason

if TYPE_CHECKING:
    import redis.asyncio
    from redis.driver_info import DriverInfo

READ_ONLY = frozenset(
    {"GET", "MGET", "EXISTS", "LLEN", "SCARD", "ZCARD", "HGET", "HLEN", "STRLEN", "TTL"}
    | {"DBSIZE", "PING", "TYPE", "XLEN"}
)


class RedisSpec(ProbeSpec):
    url: str = Field(min_length=1)  # never validated here: a validation error would echo it
    command: str | None = None

    @field_validator("command")
    @classmethod
    def _read_only(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            words = shlex.split(value)
        except ValueError as exc:
            raise ValueError(f"cannot split the command: {exc}") from exc
        if not words:
            raise ValueError("the command is empty")
        if words[0].upper() not in READ_ONLY:
            allowed = ", ".join(sorted(READ_ONLY))
            raise ValueError(f"{words[0]!r} is not a read-only command; use one of {allowed}")
        return value

    @property
    def argv(self) -> list[str]:
        words = shlex.split(self.command or "")
        return [words[0].upper(), *words[1:]] if words else []

    def describe(self) -> str:
        return _safe_url(self.url)


def _safe_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = f"{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    except ValueError:
        return "redis"
    user = f"{parts.username or ''}{':***' if parts.password else ''}"
    netloc = f"{user}@{host}" if user else host
    return parts._replace(netloc=netloc, query="", fragment="").geturl()


@cache
def _driver_info() -> DriverInfo:
    """Built once: redis-py otherwise looks its own version up for every connection (~1.3 ms)."""
    from redis.driver_info import DriverInfo

    return DriverInfo()


FIELDS = {
    "used_memory": "int: bytes allocated by Redis (INFO used_memory)",
    "used_memory_pct": "double|null: used_memory / maxmemory * 100, or of total_system_memory"
    " when maxmemory is 0; null when neither is known",
    "connected_clients": "int: client connections, this probe's own included",
    "hit_rate": "double|null: keyspace_hits / (hits + misses), null before any lookup",
    "role": "string: master or slave",
    "value": "dyn: the reply to command (strings, integers, lists), or null",
    "info": "map(string, dyn): the whole INFO reply, e.g. info.uptime_in_seconds",
}


def _fields(info: dict[str, Any]) -> dict[str, Any]:
    used = int(info.get("used_memory", 0))
    limit = int(info.get("maxmemory", 0)) or int(info.get("total_system_memory", 0))
    hits, misses = int(info.get("keyspace_hits", 0)), int(info.get("keyspace_misses", 0))
    return {
        "used_memory": used,
        "used_memory_pct": used / limit * 100 if limit else None,
        "connected_clients": int(info.get("connected_clients", 0)),
        "hit_rate": hits / (hits + misses) if hits + misses else None,
        "role": str(info.get("role", "")),
        "value": None,
        "info": info,
    }


def _decode(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, list | tuple):
        return [_decode(item) for item in value]
    return value


def _message(exc: BaseException, url: str) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    return text.replace(password, "***") if password else text


def _connect_reason(exc: BaseException, url: str) -> str:
    """The OS-level reason under redis-py's wrapping (``connection refused``), if there is one."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno:
            return os_reason(seen)
        seen = seen.__cause__ or seen.__context__
    return _message(exc, url)


def _auth_message(exc: BaseException, spec: RedisSpec) -> str:
    try:
        has_password = urlsplit(spec.url).password is not None
    except ValueError:
        has_password = False
    if not has_password:
        return f"authentication to {spec.describe()} failed: the server requires a password"
    return f"authentication to {spec.describe()} failed: {_message(exc, spec.url)}"


async def run(spec: RedisSpec, ctx: ProbeContext) -> dict[str, Any]:
    import redis.asyncio  # imported on use: a config without Redis checks never loads redis-py
    import redis.exceptions
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    where = spec.describe()
    try:
        client = redis.asyncio.Redis.from_url(
            spec.url,
            single_connection_client=True,
            socket_connect_timeout=ctx.timeout,
            socket_timeout=ctx.timeout,
            retry=Retry(NoBackoff(), 0),
            driver_info=_driver_info(),
        )
    except ValueError as exc:
        raise ProbeError(f"invalid Redis URL {where}: {_message(exc, spec.url)}") from exc
    try:
        try:
            await client.initialize()  # connects (and authenticates) or raises
        except redis.exceptions.AuthenticationError as exc:
            raise ProbeError(_auth_message(exc, spec)) from exc
        except (redis.exceptions.RedisError, OSError) as exc:
            raise ProbeError(
                f"cannot connect to {where}: {_connect_reason(exc, spec.url)}"
            ) from exc
        return await _measure(client, spec)
    finally:
        await client.aclose()


async def _measure(client: redis.asyncio.Redis, spec: RedisSpec) -> dict[str, Any]:
    import redis.exceptions

    try:
        async with client.pipeline(transaction=False) as pipe:
            pipe.info()
            if spec.command:
                pipe.execute_command(*spec.argv)
            replies = await pipe.execute(raise_on_error=False)
    except redis.exceptions.AuthenticationError as exc:
        raise ProbeError(_auth_message(exc, spec)) from exc
    except (redis.exceptions.RedisError, OSError) as exc:
        message = f"Redis error: {_message(exc, spec.url)}"
        raise ProbeError(message, connected=True) from exc
    info = replies[0]
    if isinstance(info, Exception):
        raise ProbeError(f"INFO failed: {_message(info, spec.url)}", connected=True) from info
    fields = _fields(info)
    if spec.command:
        reply = replies[1]
        if isinstance(reply, Exception):
            message = f"{spec.argv[0]} failed: {_message(reply, spec.url)}"
            raise ProbeError(message, connected=True, **fields) from reply
        fields["value"] = _decode(reply)
    return fields


KIND = ProbeKind(
    name="redis",
    spec=RedisSpec,
    fields=FIELDS,
    default_expect=("ok_connect",),
    run=run,
    summary="a Redis connection, its INFO and an optional read-only command's value",
)
