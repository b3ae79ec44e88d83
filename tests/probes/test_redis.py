"""The ``redis`` probe against real Redis servers (devkit's ``redis_server`` and one of its own)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from pydantic import ValidationError

from devkit.ports import free_port
from devkit.servers import RedisServer
from golive.probes import redis as redis_probe
from golive.probes.base import ProbeContext, ProbeError
from golive.probes.redis import RedisSpec
from golive.probes.registry import builtin_kinds

PASSWORD = "s3cret-Pa55"
PREFIX = "golive:test_redis:"


async def probe(url: str, command: str | None = None) -> dict[str, Any]:
    return await redis_probe.run(RedisSpec(url=url, command=command), ProbeContext(timeout=5))


@pytest.fixture
def client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """A plain client on the shared server; this module's keys are removed afterwards."""
    with redis.Redis.from_url(redis_server.url) as plain:
        yield plain
        keys = list(plain.scan_iter(match=f"{PREFIX}*"))
        if keys:
            plain.delete(*keys)


@pytest.fixture(scope="module")
def locked_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A Redis of this module's own, with a password and a maxmemory."""
    base: Path = tmp_path_factory.mktemp("redis-locked")
    with RedisServer.start(base, password=PASSWORD, maxmemory="64mb") as server:
        yield server


async def test_it_reads_memory_clients_and_role(redis_server: RedisServer) -> None:
    result = await probe(redis_server.url)

    info = result["info"]
    assert result["used_memory"] == info["used_memory"] > 0
    assert result["used_memory_pct"] == pytest.approx(
        info["used_memory"] / info["total_system_memory"] * 100  # no maxmemory: of the host
    )
    assert result["connected_clients"] >= 1  # the probe itself
    assert result["role"] == "master"
    assert result["value"] is None
    assert info["uptime_in_seconds"] >= 0
    assert info["redis_version"]


async def test_used_memory_pct_is_relative_to_maxmemory_when_there_is_one(
    locked_server: RedisServer,
) -> None:
    result = await probe(locked_server.url)

    assert result["info"]["maxmemory"] == 64 * 1024 * 1024
    assert result["used_memory_pct"] == pytest.approx(result["used_memory"] / (64 << 20) * 100)


async def test_hit_rate_counts_hits_and_misses(
    redis_server: RedisServer, client: redis.Redis
) -> None:
    client.set(f"{PREFIX}flag", "on")
    client.config_resetstat()
    client.get(f"{PREFIX}flag")
    client.get(f"{PREFIX}flag")
    client.get(f"{PREFIX}missing")

    result = await probe(redis_server.url, f"GET {PREFIX}flag")  # INFO runs before the GET

    assert result["hit_rate"] == pytest.approx(2 / 3)
    assert result["info"]["keyspace_hits"] == 2


async def test_hit_rate_is_null_before_any_lookup(
    redis_server: RedisServer, client: redis.Redis
) -> None:
    client.config_resetstat()

    assert (await probe(redis_server.url))["hit_rate"] is None


@pytest.mark.parametrize(
    ("command", "value"),
    [
        (f"GET {PREFIX}flag", "on"),
        (f"get {PREFIX}missing", None),
        (f"LLEN {PREFIX}queue", 3),
        (f"MGET {PREFIX}flag {PREFIX}missing", ["on", None]),
        (f"EXISTS {PREFIX}flag {PREFIX}queue {PREFIX}missing", 2),
        (f"TYPE {PREFIX}queue", "list"),
        (f"TTL {PREFIX}flag", -1),
        (f"HGET {PREFIX}hash 'a field'", "a value"),
        ("PING", True),
    ],
)
async def test_the_command_reply_becomes_value(
    redis_server: RedisServer, client: redis.Redis, command: str, value: Any
) -> None:
    client.set(f"{PREFIX}flag", "on")
    client.rpush(f"{PREFIX}queue", "a", "b", "c")
    client.hset(f"{PREFIX}hash", "a field", "a value")

    assert (await probe(redis_server.url, command))["value"] == value


async def test_dbsize_counts_the_keys(redis_server: RedisServer, client: redis.Redis) -> None:
    client.set(f"{PREFIX}one", 1)

    assert (await probe(redis_server.url, "DBSIZE"))["value"] == client.dbsize()


async def test_a_binary_value_is_decoded_without_failing(
    redis_server: RedisServer, client: redis.Redis
) -> None:
    client.set(f"{PREFIX}blob", b"\xffok")

    assert (await probe(redis_server.url, f"GET {PREFIX}blob"))["value"] == "\ufffdok"


@pytest.mark.parametrize(
    "command", ["FLUSHALL", "SET a b", "CONFIG SET maxmemory 1", "", "   ", "GET 'unclosed"]
)
def test_the_spec_refuses_commands_that_are_not_read_only(command: str) -> None:
    with pytest.raises(ValidationError):
        RedisSpec(url="redis://127.0.0.1:6379/0", command=command)


async def test_a_command_the_server_rejects_is_an_error_that_keeps_the_info_fields(
    redis_server: RedisServer, client: redis.Redis
) -> None:
    client.set(f"{PREFIX}flag", "on")

    with pytest.raises(ProbeError) as caught:
        await probe(redis_server.url, f"LLEN {PREFIX}flag")

    assert caught.value.message == (
        "LLEN failed: WRONGTYPE Operation against a key holding the wrong kind of value"
    )
    assert caught.value.connected is True
    assert caught.value.fields["used_memory"] > 0


async def test_the_right_password_gets_in(locked_server: RedisServer) -> None:
    assert (await probe(locked_server.url, "PING"))["value"] is True


async def test_a_wrong_password_is_an_error_that_does_not_show_it(
    locked_server: RedisServer,
) -> None:
    url = f"redis://:{PASSWORD}-wrong@127.0.0.1:{locked_server.port}/0"

    with pytest.raises(ProbeError) as caught:
        await probe(url)

    assert caught.value.message == (
        f"authentication to redis://:***@127.0.0.1:{locked_server.port}/0 failed: "
        "invalid username-password pair or user is disabled."
    )
    assert PASSWORD not in caught.value.message


async def test_a_missing_password_is_reported_as_such(locked_server: RedisServer) -> None:
    url = f"redis://127.0.0.1:{locked_server.port}/0"

    with pytest.raises(ProbeError) as caught:
        await probe(url)

    assert caught.value.message == (
        f"authentication to {url} failed: the server requires a password"
    )


async def test_a_closed_port_is_an_error() -> None:
    port = free_port()

    with pytest.raises(ProbeError) as caught:
        await probe(f"redis://:{PASSWORD}@127.0.0.1:{port}/0")

    assert (
        caught.value.message
        == f"cannot connect to redis://:***@127.0.0.1:{port}/0: connection refused"
    )
    assert caught.value.connected is False
    assert PASSWORD not in caught.value.message


async def test_a_url_that_is_not_redis_is_an_error() -> None:
    with pytest.raises(ProbeError) as caught:
        await probe("http://127.0.0.1:6379")

    assert caught.value.message.startswith("invalid Redis URL http://127.0.0.1:6379: ")


async def test_it_closes_its_connection(redis_server: RedisServer, client: redis.Redis) -> None:
    before = len(client.client_list())

    await probe(redis_server.url, "PING")
    with pytest.raises(ProbeError):
        await probe(redis_server.url, "GET")  # wrong number of arguments

    for _ in range(50):  # the server notices the disconnection a moment later
        if len(client.client_list()) == before:
            break
        await asyncio.sleep(0.02)
    assert len(client.client_list()) == before


def test_describe_masks_the_password() -> None:
    spec = RedisSpec(url=f"redis://cache:{PASSWORD}@cache.internal:6380/2")

    assert spec.describe() == "redis://cache:***@cache.internal:6380/2"


def test_it_is_registered_with_its_default_expectation() -> None:
    kind = builtin_kinds()["redis"]

    assert kind.default_expect == ("ok_connect",)
    assert set(kind.fields) == {
        "used_memory",
        "used_memory_pct",
        "connected_clients",
        "hit_rate",
        "role",
        "value",
        "info",
    }
