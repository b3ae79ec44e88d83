"""Keeping secrets out of every output.

A value is secret when it came from ``${env:...}`` into a ``url``, ``dsn`` or ``token``, or when
its key names a password, secret, token or key. The loader registers each such value here; every
output path (terminal, JSON, JUnit, the store, logs) passes text through ``Secrets.redact``.
Passwords written inside URLs (``scheme://user:pass@host``) are masked wherever they appear.
A secret is masked in whatever form a target echoes it (``any_encoding``): each of its characters
raw, percent-encoded, ``+`` for a space, JSON- or HTML-escaped, in any mix; a URL's credentials
also as the Basic auth a client sends for them.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from typing import Any
from urllib.parse import unquote, urlsplit

MASK = "***"
_URL_PASSWORD = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)([^@\s/]+)(@)")
_SECRET_KEY = re.compile(
    r"password|passwd|secret|token|authorization|cookie|(?:^|[^a-z])key(?:[^a-z]|$)", re.IGNORECASE
)
ENV_SECRET_KEYS = frozenset({"url", "dsn", "token"})
_MIN_SECRET_LENGTH = 4
_MAX_PATTERNS = 64  # compiled regexes kept, one per set of secrets found in a text


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


_ESCAPES = {  # JSON and HTML escapes of the characters that have them
    '"': ('\\"', "&quot;", "&#34;"),
    "\\": ("\\\\",),
    "/": ("\\/",),
    "&": ("&amp;", "&#38;"),
    "'": ("&#39;", "&#x27;", "&apos;"),
    "<": ("&lt;", "\\u003c"),
    ">": ("&gt;", "\\u003e"),
}


def _hex(octets: bytes) -> str:
    """``octets`` percent-encoded, matching upper- or lower-case hex digits."""
    return "".join(
        "%" + "".join(f"[{d.upper()}{d.lower()}]" if d.isalpha() else d for d in f"{b:02x}")
        for b in octets
    )


@cache
def _char(ch: str) -> str:
    """A regex for one character of a secret in any of the forms it may take."""
    if ch.isascii() and (ch.isalnum() or ch in "-._~"):
        return re.escape(ch)
    forms = [re.escape(ch), _hex(ch.encode())]
    forms.extend(re.escape(form) for form in _ESCAPES.get(ch, ()))
    if ch == " ":
        forms.append(r"\+")
    if not ch.isascii() or not ch.isprintable():  # JSON's \uXXXX (a surrogate pair past BMP)
        units = ch.encode("utf-16-be")
        escape = "".join(f"\\u{units[i] << 8 | units[i + 1]:04x}" for i in range(0, len(units), 2))
        forms.append(re.escape(escape))
    return f"(?:{'|'.join(forms)})"


def any_encoding(value: str) -> str:
    """A regex matching ``value`` with each character raw or encoded (see the module doc)."""
    return "".join(_char(ch) for ch in value)


@cache
def _anchor(value: str) -> str:
    """The longest run of ``value``'s characters that every form of it keeps as they are."""
    runs = re.findall(r"[A-Za-z0-9._~-]+", value)
    return max(runs, key=len, default="")


def _basic_auth(value: str) -> str | None:
    """The ``Authorization: Basic`` credentials a client sends for a URL with a password."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.username is None or not parts.password:
        return None
    pair = f"{unquote(parts.username)}:{unquote(parts.password)}"
    return base64.b64encode(pair.encode()).decode()


class Secrets:
    """The secret values of one loaded configuration."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}
        self._ordered: list[str] | None = None  # longest first: a longer secret wins a tie
        self._patterns: dict[tuple[str, ...], re.Pattern[str]] = {}

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
            self._values.setdefault(unquote(password), MASK)
        basic = _basic_auth(value)
        if basic is not None:
            self._values.setdefault(basic, MASK)
        self._ordered = None
        self._patterns.clear()

    def __len__(self) -> int:
        return len(self._values)

    def redact(self, text: str) -> str:
        """``text`` with every secret and every URL password masked."""
        if not self._values and "@" not in text:
            return text
        if self._values:
            if self._ordered is None:
                self._ordered = sorted(self._values, key=len, reverse=True)
            # a secret's longest run of characters that no encoding changes must be in the text
            # for any form of it to be: a substring test spares the regex most texts
            present = tuple(v for v in self._ordered if _anchor(v) in text)
            if present:
                text = self._pattern(present).sub(
                    lambda m: self._values[present[(m.lastindex or 1) - 1]], text
                )
        if "@" in text:
            text = _URL_PASSWORD.sub(rf"\g<1>{MASK}\g<3>", text)
        return text

    def _pattern(self, secrets: tuple[str, ...]) -> re.Pattern[str]:
        pattern = self._patterns.get(secrets)
        if pattern is None:
            if len(self._patterns) >= _MAX_PATTERNS:
                self._patterns.clear()
            pattern = re.compile("|".join(f"({any_encoding(v)})" for v in secrets))
            self._patterns[secrets] = pattern
        return pattern

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
