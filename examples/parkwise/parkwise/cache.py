"""Optional Redis cache. Every failure is reported, never fatal to a request."""

from __future__ import annotations

import json
import logging
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)


class Cache:
    """JSON values in Redis with short socket timeouts and one quick retry.

    The single retry lets a pooled connection that died with a Redis restart be
    replaced transparently; a Redis that is really down fails within ``timeout_s``.
    """

    def __init__(self, url: str, timeout_s: float = 0.5, prefix: str = "parkwise:") -> None:
        self.prefix = prefix
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            retry=Retry(NoBackoff(), 1),
        )

    def ping(self) -> None:
        """Raise :class:`redis.RedisError` unless Redis answers PING."""
        if not self.client.ping():
            raise redis.RedisError("PING was not answered with PONG")

    def get_json(self, key: str) -> Any | None:
        """The cached value, or None when missing or when Redis is unavailable."""
        try:
            raw = self.client.get(self.prefix + key)
        except redis.RedisError as exc:
            log.warning("cache get %s failed: %s", key, exc)
            return None
        return None if raw is None else json.loads(raw)

    def set_json(self, key: str, value: Any, ttl_s: float) -> None:
        try:
            self.client.set(self.prefix + key, json.dumps(value), px=int(ttl_s * 1000))
        except redis.RedisError as exc:
            log.warning("cache set %s failed: %s", key, exc)

    def close(self) -> None:
        self.client.close()
