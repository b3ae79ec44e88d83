"""Typed settings read from ``PARKWISE_*`` environment variables only.

Every value is validated when the settings are built; a bad value raises
:class:`SettingsError` naming the variable, so the app refuses to start instead
of running half-configured.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from parkwise import DEFAULT_VERSION

PREFIX = "PARKWISE_"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})
_UNITS = {"s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}
_RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*(?:\.\d+)?)\s*([a-z]+)\s*$")


class SettingsError(ValueError):
    """A ``PARKWISE_*`` variable holds a value the app cannot run with."""


@dataclass(frozen=True, slots=True)
class RateLimit:
    """``limit`` requests per client IP in each ``window_seconds`` window."""

    limit: int
    window_seconds: float

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """Parse ``100/10s``, ``5/s``, ``1000/1m`` or ``60/min``."""
        match = _RATE_RE.match(text.lower())
        if match is None or match.group(3) not in _UNITS:
            raise SettingsError(
                f"PARKWISE_RATE_LIMIT={text!r}: expected COUNT/WINDOW such as 100/10s or 60/1m"
            )
        limit = int(match.group(1))
        window = float(match.group(2) or 1) * _UNITS[match.group(3)]
        if limit < 1 or window <= 0:
            raise SettingsError(f"PARKWISE_RATE_LIMIT={text!r}: count and window must be > 0")
        return cls(limit=limit, window_seconds=window)


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str | None = field(default=None, repr=False)
    data_dir: Path = Path()
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    version: str = DEFAULT_VERSION
    error_rate: float = 0.0
    latency_ms: float = 0.0
    latency_mix: tuple[tuple[float, float], ...] = ()  # (ms, share): a latency distribution
    seed: int | None = None
    security_headers: bool = False
    rate_limit: RateLimit | None = None
    secret_key: str = field(default="", repr=False)
    debug: bool = False
    synth_user: str = "synthetic"
    synth_password: str = field(default="synthetic-pass", repr=False)

    @property
    def db_kind(self) -> str:
        return "postgresql" if self.database_url else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "parkwise.db"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = _Env(os.environ if environ is None else environ)
        data_dir = Path(env.text("DATA_DIR") or Path.cwd())
        if data_dir.exists() and not data_dir.is_dir():
            raise SettingsError(f"PARKWISE_DATA_DIR={data_dir}: not a directory")
        return cls(
            database_url=env.url("DATABASE_URL", ("postgresql://", "postgres://")),
            data_dir=data_dir,
            redis_url=env.url("REDIS_URL", ("redis://", "rediss://", "unix://")),
            host=env.text("HOST") or "127.0.0.1",
            port=env.integer("PORT", low=1, high=65535) or 8000,
            version=env.text("VERSION") or DEFAULT_VERSION,
            error_rate=env.number("ERROR_RATE", 0.0, low=0.0, high=1.0),
            latency_ms=env.number("LATENCY_MS", 0.0, low=0.0, high=600_000.0),
            latency_mix=env.latency_mix("LATENCY_MIX"),
            seed=env.integer("SEED"),
            security_headers=env.flag("SECURITY_HEADERS"),
            rate_limit=env.rate_limit("RATE_LIMIT"),
            secret_key=env.secret("SECRET_KEY"),
            debug=env.flag("DEBUG"),
            synth_user=env.text("SYNTH_USER") or "synthetic",
            synth_password=env.text("SYNTH_PASSWORD") or "synthetic-pass",
        )


class _Env:
    """Reads and validates single ``PARKWISE_*`` variables."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = environ

    def text(self, name: str) -> str:
        return self._environ.get(PREFIX + name, "").strip()

    def _fail(self, name: str, expected: str) -> SettingsError:
        raw = self._environ.get(PREFIX + name, "")
        return SettingsError(f"{PREFIX}{name}={raw!r}: expected {expected}")

    def url(self, name: str, schemes: tuple[str, ...]) -> str | None:
        value = self.text(name)
        if not value:
            return None
        if not any(value.startswith(s) and len(value) > len(s) for s in schemes):
            raise self._fail(name, "a URL starting with " + " or ".join(schemes))
        return value

    def integer(self, name: str, low: int = 0, high: int = 2**63 - 1) -> int | None:
        value = self.text(name)
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            raise self._fail(name, "an integer") from None
        if not low <= number <= high:
            raise self._fail(name, f"an integer in [{low}, {high}]")
        return number

    def number(self, name: str, default: float, low: float, high: float) -> float:
        value = self.text(name)
        if not value:
            return default
        try:
            number = float(value)
        except ValueError:
            raise self._fail(name, "a number") from None
        if not low <= number <= high:  # also rejects nan
            raise self._fail(name, f"a number in [{low:g}, {high:g}]")
        return number

    def latency_mix(self, name: str) -> tuple[tuple[float, float], ...]:
        """``50:80,300:20``: 80 % of requests wait 50 ms more, 20 % wait 300 ms more."""
        value = self.text(name)
        if not value:
            return ()
        mix = []
        try:
            for part in value.split(","):
                ms, share = part.split(":")
                mix.append((float(ms), float(share)))
        except ValueError:
            raise self._fail(name, "MS:SHARE pairs such as 50:80,300:20") from None
        if any(not (0 <= ms <= 600_000 and share > 0) for ms, share in mix):
            raise self._fail(name, "MS in [0, 600000] and SHARE > 0 in each pair")
        return tuple(mix)

    def flag(self, name: str) -> bool:
        value = self.text(name).lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise self._fail(name, "on/off (1/0, true/false, yes/no)")

    def rate_limit(self, name: str) -> RateLimit | None:
        value = self.text(name)
        if value.lower() in _FALSE:
            return None
        return RateLimit.parse(value)

    def secret(self, name: str) -> str:
        value = self.text(name)
        if not value:
            return secrets.token_urlsafe(32)  # ephemeral: fine for a stateless sample app
        if len(value) < 16:
            raise self._fail(name, "at least 16 characters")
        return value
