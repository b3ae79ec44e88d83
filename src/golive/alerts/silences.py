"""Silences as operators use them (``golive silence add|list|expire``, the API): validated here,
kept by ``golive.store.alerts``. Every refusal is a ``UsageError`` that says what to type."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from golive.alerts.rules import alert_specs
from golive.config import LoadedConfig
from golive.exceptions import UsageError
from golive.records import AlertView, SilenceView
from golive.store import Store
from golive.store import alerts as queries


def create_silence(
    store: Store,
    config: LoadedConfig,
    *,
    check: str | None = None,
    component: str | None = None,
    alert: str | None = None,
    labels: Mapping[str, str] | None = None,
    duration: timedelta | None = None,
    ends_at: datetime | None = None,
    starts_at: datetime | None = None,
    reason: str,
    created_by: str,
    now: datetime,
) -> SilenceView:
    """Silence the alerts matching every given matcher, from ``starts_at`` (default ``now``)
    for ``duration`` or until ``ends_at``."""
    _aware(now=now, ends_at=ends_at, starts_at=starts_at)
    matchers: dict[str, Any] = {}
    cfg = config.config
    if check is not None:
        matchers["check"] = _known("check", check, [c.name for c in cfg.checks])
    if component is not None:
        matchers["component"] = _known("component", component, _components(config))
    if alert is not None:
        names = [c.name for c in cfg.checks] + [a.name for a in cfg.alerts]
        matchers["alert"] = _known("alert", alert, names)
    if labels:
        matchers["labels"] = _labels(labels)
    if not matchers:
        raise UsageError("a silence needs at least one of check, component, alert or labels")
    start = starts_at or now
    end = _end(start, duration, ends_at)
    if end <= now:
        raise UsageError(f"the silence would end at {end.isoformat()}, which is not in the future")
    if not reason.strip():
        raise UsageError("a silence needs a reason (what is being worked on, and by whom)")
    if not created_by.strip():
        raise UsageError("a silence needs to say who created it")
    _matches_something(config, matchers)
    return queries.insert_silence(
        store,
        matchers=matchers,
        starts_at=start,
        ends_at=end,
        created_by=created_by.strip(),
        reason=reason.strip(),
        created_at=now,
    )


def list_silences(
    store: Store, now: datetime, *, include_expired: bool = False
) -> list[SilenceView]:
    """Active and scheduled silences by id; with ``include_expired``, every silence."""
    _aware(now=now)
    return queries.load_silences(store, now=now, include_expired=include_expired)


def expire_silence(store: Store, silence_id: int, now: datetime) -> SilenceView:
    """End a silence now; its alerts are announced again at the next evaluation if still firing."""
    _aware(now=now)
    if queries.mark_silence_expired(store, silence_id, now):
        expired = queries.get_silence(store, silence_id)
        assert expired is not None, "a silence just expired exists"
        return expired
    found = queries.get_silence(store, silence_id)
    if found is None:
        raise UsageError(f"no silence with id {silence_id} (see `golive silence list`)")
    if found.expired_at is not None:
        raise UsageError(
            f"silence {silence_id} was already expired at {found.expired_at.isoformat()}"
        )
    raise UsageError(f"silence {silence_id} already ended at {found.ends_at.isoformat()}")


def _aware(**moments: datetime | None) -> None:
    for name, moment in moments.items():
        if moment is not None and moment.tzinfo is None:
            raise UsageError(f"{name} must carry a time zone (e.g. 2026-12-01T03:00:00Z)")


def _end(start: datetime, duration: timedelta | None, ends_at: datetime | None) -> datetime:
    if (duration is None) == (ends_at is None):
        raise UsageError("give exactly one of duration or ends_at")
    if duration is not None:
        if duration <= timedelta(0):
            raise UsageError("a silence's duration must be positive")
        return start + duration
    assert ends_at is not None
    if ends_at <= start:
        raise UsageError("a silence must end after it starts")
    return ends_at


def _components(config: LoadedConfig) -> list[str]:
    names = [c.name for c in config.config.components]
    names += [c.component for c in config.config.checks if c.component and c.component not in names]
    return names


def _known(kind: str, name: str, names: list[str]) -> str:
    if name in names:
        return name
    raise UsageError.unknown(kind, name, names)


def _labels(labels: Mapping[str, str]) -> dict[str, str]:
    clean = {str(k).strip(): str(v).strip() for k, v in labels.items()}
    if any(not key for key in clean):
        raise UsageError("label matchers need a name, as in team=db")
    return clean


def _targets(config: LoadedConfig) -> Iterable[AlertView]:
    """Every alert the config can raise, including rules of later stages."""
    for spec in alert_specs(config):
        yield AlertView(
            "", spec.name, spec.rule, spec.check, spec.component, spec.severity, spec.labels
        )
    for rule in config.config.alerts:
        if rule.check is None:
            yield AlertView("", rule.name, rule.name, None, None, rule.severity, rule.labels)


def _matches_something(config: LoadedConfig, matchers: dict[str, Any]) -> None:
    probe = SilenceView(0, matchers, datetime.min, datetime.max, "", "", datetime.min)
    targets = list(_targets(config))
    if any(probe.matches(target) for target in targets):
        return
    wanted = ", ".join(
        f"{key}={value}" if key != "labels" else ",".join(f"{k}={v}" for k, v in value.items())
        for key, value in matchers.items()
    )
    in_use = sorted({f"{k}={v}" for t in targets for k, v in t.labels.items()})
    hint = f" (labels in use: {', '.join(in_use)})" if "labels" in matchers and in_use else ""
    raise UsageError(f"no alert matches all of {wanted}; nothing would be silenced{hint}")
