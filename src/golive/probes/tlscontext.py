"""Verifying TLS client contexts, built once per (ca_file, hostname checking) and reused.

Loading the system CAs costs ~30 ms, far more than a probe; a context is built in a thread the
first time and cached until its ``ca_file`` changes. ``ca_file`` adds a trust anchor on top of
the system CAs, for every probe kind that speaks TLS.
"""

from __future__ import annotations

import ssl
from pathlib import Path

from golive.probes.base import ProbeError, os_reason

_CACHE: dict[tuple[str | None, int, bool], ssl.SSLContext] = {}
_MAX_CACHED = 32


def _build(ca_file: str | None, check_hostname: bool) -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = check_hostname
    if ca_file:
        context.load_verify_locations(cafile=ca_file)
    return context


async def verifying_context(ca_file: str | None, *, check_hostname: bool) -> ssl.SSLContext:
    """A context trusting the system CAs plus ``ca_file``; ProbeError when it cannot be read."""
    import asyncio  # imported on use: loading a config (golive validate) never needs it

    try:
        mtime = Path(ca_file).stat().st_mtime_ns if ca_file else 0  # noqa: ASYNC240 - one stat, cheaper than a thread hop
        key = (ca_file, mtime, check_hostname)
        context = _CACHE.get(key)
        if context is None:
            context = await asyncio.to_thread(_build, ca_file, check_hostname)
            if len(_CACHE) >= _MAX_CACHED:
                _CACHE.clear()
            _CACHE[key] = context
    except ssl.SSLError as exc:
        raise ProbeError(f"cannot load ca_file {ca_file}: {exc.reason or exc}") from exc
    except OSError as exc:
        raise ProbeError(f"cannot load ca_file {ca_file}: {os_reason(exc)}") from exc
    return context
