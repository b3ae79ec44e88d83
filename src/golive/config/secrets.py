"""Keeping secrets out of every output.

A value is secret when it came from ``${env:...}`` into a ``url``, ``dsn`` or ``token``, or when
its key names a password, secret, token or key. The loader registers each such value here; every
output path (terminal, JSON, JUnit, the store, logs) passes text through ``Secrets.redact``.
Passwords written inside URLs (``scheme://user:pass@host``) are masked wherever they appear.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

MASK = "***"
_URL_PASSWORD = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)([^@\s/]+)(@)")
_SECRET_KEY = re.compile(
    r"password|passwd|secret|token|authorization|cookie|(?:^|[^a-z])key(?:[^a-z]|$)", re.IGNORECASE
)
ENV_SECRET_KEYS = frozenset({"url", "dsn", "token"})
_MIN_SECRET_LENGTH = 4


@cache
def is_secret_key(key: str) -> bool:
    """Whether a field called ``key`` holds a secret by its name alone."""
    return bool(_SECRET_KEY.search(key))


def masked(value: str) -> str:
    """How a secret value is shown: a URL keeps its scheme, host and port (which locate it but
    open nothing), and loses credentials, path and query; anything else is masked whole."""
    try:
        parts = urlsplit(value)
        host, port = parts.hostname, parts.port
    except ValueError:
        return MASK
    if not (parts.scheme and host):
        return MASK
    origin = f"{parts.scheme}://{host}{f':{port}' if port else ''}"
    if (
        parts.username is None
        and parts.path in ("", "/")
        and not parts.query
        and not parts.fragment
    ):
        return value  # nothing but an origin: nothing to hide
    return f"{origin}/{MASK}"


class Secrets:
    """The secret values of one loaded configuration."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None

    def add(self, value: str) -> None:
        shown = masked(value)
        if len(value) < _MIN_SECRET_LENGTH or shown == value:
            return
        self._values[value] = shown
        try:
            password = urlsplit(value).password
        except ValueError:
            password = None
        if password and len(password) >= _MIN_SECRET_LENGTH:
            self._values.setdefault(password, MASK)
        self._pattern = None

    def __len__(self) -> int:
        return len(self._values)

    def redact(self, text: str) -> str:
        """``text`` with every secret and every URL password masked."""
        if not self._values and "@" not in text:
            return text
        if self._values:
            if self._pattern is None:
                ordered = sorted(self._values, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(v) for v in ordered))
            text = self._pattern.sub(lambda m: self._values[m.group(0)], text)
        if "@" in text:
            text = _URL_PASSWORD.sub(rf"\g<1>{MASK}\g<3>", text)
        return text

    def redact_data(self, data: Any) -> Any:
        """A copy of JSON-like ``data`` with secrets masked in every string and secret key."""
        if isinstance(data, str):
            return self.redact(data)
        if isinstance(data, dict):
            return {
                k: (
                    MASK
                    if isinstance(v, str) and v and is_secret_key(str(k))
                    else self.redact_data(v)
                )
                for k, v in data.items()
            }
        if isinstance(data, list | tuple):
            return [self.redact_data(item) for item in data]
        return data
