"""HTTP for the gate's web built-ins (``security_headers``, ``https_redirect``).

One fresh aiohttp session per check (no shared cookies, a new connection each request), and
one ``fetch`` that turns every client error into ``FetchError`` with a one-line reason, so a
built-in reports an unreachable target instead of raising.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from golive.probes.base import ProbeError, os_reason
from golive.probes.http import read_capped
from golive.probes.tlscontext import verifying_context

if TYPE_CHECKING:
    import aiohttp

USER_AGENT = "golive-gate"
MAX_BODY_BYTES = 1 << 20

Headers = dict[str, list[str]]


class FetchError(Exception):
    """The request got no answer; ``message`` says why in one line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Answer:
    """One HTTP response: its URL, status and headers (lower-case names, every value)."""

    url: str
    status: int
    headers: Headers

    def first(self, name: str) -> str | None:
        values = self.headers.get(name)
        return values[0] if values else None


@dataclass(frozen=True)
class Fetched(Answer):
    """The final response, the redirects before it, its body as text (first 1 MiB), and whether
    the body went on past that."""

    history: tuple[Answer, ...] = ()
    body: str = ""
    body_truncated: bool = False


@asynccontextmanager
async def web_session(request_timeout: float) -> AsyncIterator[aiohttp.ClientSession]:
    import aiohttp  # imported on use: loading a config with gate items does not need it

    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=request_timeout),
        headers={"User-Agent": USER_AGENT},
    ) as session:
        yield session


async def tls_option(*, verify: bool, ca_file: str | None) -> ssl.SSLContext | bool:
    """For every request of a check, http:// ones too: a redirect may lead to https://."""
    if not verify:
        return False
    if not ca_file:
        return True
    try:
        return await verifying_context(ca_file, check_hostname=True)
    except ProbeError as exc:
        raise FetchError(exc.message) from exc


async def fetch(
    session: aiohttp.ClientSession,
    url: str,
    *,
    tls: ssl.SSLContext | bool,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    follow: bool = False,
    max_redirects: int = 10,
    read_body: bool = False,
) -> Fetched:
    import aiohttp

    try:
        async with session.request(
            method,
            url,
            headers=dict(headers or {}),
            allow_redirects=follow,
            max_redirects=max_redirects,
            ssl=tls,
        ) as response:
            raw, truncated = (
                await read_capped(response.content, MAX_BODY_BYTES) if read_body else (b"", False)
            )
            history = tuple(
                Answer(str(hop.url), hop.status, _headers(hop.headers)) for hop in response.history
            )
            return Fetched(
                url=str(response.url),
                status=response.status,
                headers=_headers(response.headers),
                history=history,
                body=_decode(raw, response.charset),
                body_truncated=truncated,
            )
    except TimeoutError as exc:
        within = f" within {session.timeout.total:g}s" if session.timeout.total else ""
        raise FetchError(f"{url}: no answer{within}") from exc
    except aiohttp.TooManyRedirects as exc:
        raise FetchError(f"{url}: more than {max_redirects} redirects") from exc
    except aiohttp.ClientConnectorCertificateError as exc:
        raise FetchError(f"{url}: TLS certificate error: {exc.certificate_error}") from exc
    except aiohttp.ClientSSLError as exc:
        raise FetchError(f"{url}: TLS error: {exc}") from exc
    except aiohttp.ClientConnectorError as exc:
        reason = os_reason(exc.os_error)
        raise FetchError(f"cannot connect to {exc.host}:{exc.port}: {reason}") from exc
    except aiohttp.ServerDisconnectedError as exc:
        raise FetchError(f"{url}: server closed the connection without answering") from exc
    except aiohttp.InvalidURL as exc:
        raise FetchError(f"invalid URL: {exc}") from exc
    except aiohttp.ClientResponseError as exc:
        raise FetchError(f"{url}: bad response: {exc.message}") from exc
    except aiohttp.ClientError as exc:
        raise FetchError(f"{url}: HTTP error: {exc}") from exc
    except ValueError as exc:  # e.g. a Location that is not a URL
        raise FetchError(f"{url}: unreadable response: {exc}") from exc


def _decode(raw: bytes, charset: str | None) -> str:
    try:
        return raw.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return raw.decode("utf-8", errors="replace")


def _headers(raw: Mapping[str, str]) -> Headers:
    headers: Headers = {}
    for name, value in raw.items():
        headers.setdefault(name.lower(), []).append(value)
    return headers
