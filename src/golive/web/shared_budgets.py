"""``RedisBudgets``: rate-limit budgets that web replicas share through one Redis.

Each (key, rule) is one Redis counter, ``golive:rl:<limit>/<window>:<key>``, counted by one Lua
script, so that concurrent replicas never lose or double a hit: the window starts at the key's
first counted request (``PEXPIRE`` then) and ends when the counter expires, exactly as
``MemoryBudgets`` does, but on Redis's clock. A refused request is not counted.

Redis unreachable or failing: **fail open to this process's memory**. The request is decided
by a ``MemoryBudgets`` (the limit then holds per replica, so N replicas allow up to N times the
budget), the error is logged at most every ``LOG_EVERY`` seconds and counted (``on_error``), and
Redis is not asked again for ``RETRY_AFTER`` seconds, so that an outage adds no timeout to each
request. Refusing everyone (fail closed) would turn a Redis outage into a golive outage; dropping
every limit would open the token-guessing door exactly then.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from golive.clock import Clock
from golive.web.ratelimit import Decision, MemoryBudgets, Rule

log = logging.getLogger("golive.web")

PREFIX = "golive:rl:"
RETRY_AFTER = 5.0  # seconds on memory budgets after a Redis error, before trying Redis again
LOG_EVERY = 60.0  # seconds between two log lines about the same outage
TIMEOUT = 0.25  # seconds to connect to Redis or wait for its answer

# KEYS[1] the counter; ARGV: limit, window in ms, 1 to count a request (hit) or 0 (peek).
# Returns {allowed, hits, ms left in the window}.
_SCRIPT = """
local hits = tonumber(redis.call('GET', KEYS[1]) or '0')
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
if ARGV[3] == '1' and hits < limit then
  hits = redis.call('INCR', KEYS[1])
  if hits == 1 then redis.call('PEXPIRE', KEYS[1], window) end
  local left = redis.call('PTTL', KEYS[1])
  if left < 0 then
    redis.call('PEXPIRE', KEYS[1], window)
    left = window
  end
  return {1, hits, left}
end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then left = window end
if hits < limit then return {1, hits, left} end
return {0, hits, left}
"""


class RedisBudgets:
    """``Budgets`` in Redis (see the module docstring); ``fallback`` decides while Redis
    cannot. ``on_error`` is called with each error's class name (a metric counts them)."""

    def __init__(
        self,
        url: str,
        *,
        clock: Clock,
        on_error: Callable[[str], None] | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        self.redis: Redis = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry_on_timeout=False,
        )
        self.clock = clock
        self.fallback = MemoryBudgets(clock)
        self.on_error = on_error
        self._script: Any = self.redis.register_script(_SCRIPT)
        self._down_until = float("-inf")  # clock.monotonic(): Redis is not asked before then
        self._logged_at = float("-inf")
        self.errors = 0

    async def hit(self, key: str, rule: Rule) -> Decision:
        return await self._ask(key, rule, count=True)

    async def peek(self, key: str, rule: Rule) -> Decision:
        return await self._ask(key, rule, count=False)

    async def close(self) -> None:
        await self.redis.aclose()

    @property
    def degraded(self) -> bool:
        """True while decisions come from this process's memory (Redis failed recently)."""
        return self.clock.monotonic() < self._down_until

    async def _ask(self, key: str, rule: Rule, *, count: bool) -> Decision:
        if self.degraded:
            return await self._local(key, rule, count)
        window_ms = max(1, round(rule.window_s * 1000))
        name = f"{PREFIX}{rule.limit}/{rule.window_s:g}:{key}"
        try:
            allowed, hits, left_ms = await self._script(
                keys=[name], args=[rule.limit, window_ms, 1 if count else 0]
            )
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return await self._local(key, rule, count)
        reset = max(1, math.ceil(int(left_ms) / 1000))
        return Decision(bool(allowed), rule.limit, max(0, rule.limit - int(hits)), reset)

    async def _local(self, key: str, rule: Rule, count: bool) -> Decision:
        if count:
            return await self.fallback.hit(key, rule)
        return await self.fallback.peek(key, rule)

    def _failed(self, exc: Exception) -> None:
        now = self.clock.monotonic()
        self._down_until = now + RETRY_AFTER
        self.errors += 1
        if self.on_error is not None:
            self.on_error(type(exc).__name__)
        if now - self._logged_at >= LOG_EVERY:
            self._logged_at = now
            log.error(
                "rate limits: Redis unreachable (%s: %s); this replica counts its own budgets "
                "until it answers again",
                type(exc).__name__,
                str(exc)[:200],
            )
