"""Scraping an exposition endpoint, and turning cumulative histograms into per-minute deltas.

A scrape's request histogram is cumulative since the app started; golive keeps the last
scrape's counts (in the store, so a restart continues) and records the difference. The app
restarted when a series' ``_created`` time changed or any series' count went down: then every
series was reset (one that grew past its old count since the restart is no exception), and
everything they count now is new. The first scrape of a source only sets the baseline: when
those requests happened is unknown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import aiohttp

from golive.exceptions import SourceError
from golive.metrics.exposition import SeriesCounts, status_of
from golive.records import Histogram, RequestMinute, label_key

MAX_BYTES = 32 * 1024 * 1024  # an exposition larger than this is refused, not read


async def fetch(url: str, *, timeout: float = 10.0) -> str:  # noqa: ASYNC109 (aiohttp's own)
    """The exposition text at ``url``; ``SourceError`` on a refused connection, a timeout,
    a status other than 200 or a body that is not text."""
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.get(url, headers={"Accept": "text/plain;version=0.0.4"}) as response,
        ):
            if response.status != 200:
                raise SourceError(f"scrape of {url}: HTTP {response.status}")
            body = await response.content.read(MAX_BYTES + 1)
    except TimeoutError as exc:
        raise SourceError(f"scrape of {url}: timed out after {timeout:g}s") from exc
    except aiohttp.ClientError as exc:
        raise SourceError(f"scrape of {url}: {exc or type(exc).__name__}") from exc
    if len(body) > MAX_BYTES:
        raise SourceError(f"scrape of {url}: more than {MAX_BYTES // 2**20} MiB")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"scrape of {url}: the body is not UTF-8 text") from exc


def deltas(
    source: str,
    minute: datetime,
    series: list[SeriesCounts],
    previous: Mapping[str, Any] | None,
) -> tuple[list[RequestMinute], dict[str, Any]]:
    """What each series gained since ``previous`` (the state the last call returned; None for
    the first scrape), as records of ``minute``, and the state to keep for the next call."""
    state: dict[str, Any] = {}
    minutes: list[RequestMinute] = []
    restarted = previous is not None and any(
        _was_reset(one, previous.get(label_key(one.labels))) for one in series
    )
    for one in series:
        key = label_key(one.labels)
        buckets = {_bound_key(b): c for b, c in one.buckets.items()}
        state[key] = {"count": one.count, "buckets": buckets, "created": one.created}
        if previous is None:
            continue
        before = previous.get(key)
        reset = before is not None and restarted
        base = {} if before is None or reset else before["buckets"]
        count = one.count - (0.0 if before is None or reset else before["count"])
        if count <= 0:
            continue
        gained: dict[float, int] = {}
        cumulative_before = 0
        for bound, cumulative in one.buckets.items():
            delta = round(cumulative - base.get(_bound_key(bound), 0.0))
            gained[bound] = max(0, delta - cumulative_before)
            cumulative_before = max(cumulative_before, delta)
        total = round(count)
        errors = total if status_of(one.labels) >= 500 else 0
        minutes.append(
            RequestMinute(source, minute, dict(one.labels), total, errors, Histogram("le", gained))
        )
    return minutes, state


def _was_reset(one: SeriesCounts, before: Mapping[str, Any] | None) -> bool:
    if before is None:
        return False
    created = before.get("created")
    if one.created is not None and created is not None and one.created != created:
        return True
    return bool(one.count < before["count"])


def _bound_key(bound: float) -> str:
    return "inf" if math.isinf(bound) else repr(bound)
