"""Reading an SLI's good and total events over a window from what golive recorded.

- ``check``: good = successful runs, from the check's rollups (``golive.store.slo``).
- ``ratio``: the mean of one numeric field of a check's runs (redis ``hit_rate``): no rollup
  keeps probe values, so it reads the stored runs of that one check (an indexed range); it can
  look back only as far as evidence is kept, and says from when it covers (``since``).
- ``requests``: good = requests under ``status_below`` and/or ``latency_below`` among those
  matching ``where``, from the metrics sources' request minutes (``golive.store.requests``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from golive.config.slo import Sli
from golive.records import BucketError
from golive.slo.budget import Counts
from golive.store import Store
from golive.store.requests import request_window
from golive.store.slo import field_values, oldest_evidence, run_totals


class RequestWindowLike(Protocol):
    """What an SLI needs of ``golive.metrics``' request window."""

    @property
    def count(self) -> int: ...

    def good(
        self, *, status_below: int | None = None, latency_below_ms: float | None = None
    ) -> int: ...


class RequestWindows(Protocol):
    """``request_window(store, ...)`` of the metrics package with its store bound."""

    def __call__(
        self, source: str, *, start: datetime, end: datetime, where: Mapping[str, str]
    ) -> RequestWindowLike: ...


class NoRequestData(LookupError):
    """A requests SLI cannot be measured: no request data, or a latency that is not one of
    the source's histogram bounds."""


@dataclass(frozen=True)
class Reader:
    """Where SLIs come from: the store, and request windows when metrics sources exist."""

    store: Store
    requests: RequestWindows | None = None

    @classmethod
    def of(cls, store: Store) -> Reader:
        """A reader of ``store``'s check rollups, runs and request minutes."""

        def requests(
            source: str, *, start: datetime, end: datetime, where: Mapping[str, str]
        ) -> RequestWindowLike:
            return request_window(store, source, start=start, end=end, where=where)

        return cls(store, requests)

    def counts(self, sli: Sli, *, start: datetime, end: datetime) -> Counts:
        """Good and total events of ``sli`` with ``start <= t < end``."""
        if sli.check is not None:
            runs, failures = run_totals(self.store, sli.check, start=start, end=end)
            return Counts(good=float(runs - failures), total=float(runs))
        if sli.ratio is not None:
            values = [
                v
                for _, v in field_values(
                    self.store, sli.ratio.check, sli.ratio.field, start=start, end=end
                )
            ]
            return Counts(good=sum(values), total=float(len(values)))
        return self._requests(sli, start, end)

    def since(self, sli: Sli, start: datetime) -> datetime:
        """From when the data of a window starting at ``start`` really covers (a ratio SLI
        is limited by evidence retention)."""
        if sli.ratio is None:
            return start
        oldest = oldest_evidence(self.store, sli.ratio.check)
        return max(start, oldest) if oldest is not None else start

    def _requests(self, sli: Sli, start: datetime, end: datetime) -> Counts:
        assert sli.requests is not None and sli.good is not None  # the config validates both
        if self.requests is None:
            raise NoRequestData(f"no request data for source {sli.requests!r}")
        window = self.requests(sli.requests, start=start, end=end, where=sli.where)
        below = sli.good.latency_below
        try:
            good = window.good(
                status_below=sli.good.status_below,
                latency_below_ms=below.total_seconds() * 1000 if below is not None else None,
            )
        except BucketError as exc:  # a scraped histogram counts only below its bucket bounds
            raise NoRequestData(f"source {sli.requests!r}: {exc}") from exc
        return Counts(good=float(good), total=float(window.count))


def describe(sli: Sli) -> str:
    """One line naming the SLI: ``check api-health``, ``requests app (latency < 200ms)``."""
    if sli.check is not None:
        return f"check {sli.check}"
    if sli.ratio is not None:
        return f"ratio {sli.ratio.check}.{sli.ratio.field}"
    assert sli.good is not None
    terms = []
    if sli.good.status_below is not None:
        terms.append(f"status < {sli.good.status_below}")
    if sli.good.latency_below is not None:
        terms.append(f"latency < {sli.good.latency_below.total_seconds() * 1000:g}ms")
    where = "".join(f" {k}={v}" for k, v in sorted(sli.where.items()))
    return f"requests {sli.requests}{where} ({', '.join(terms)})"
