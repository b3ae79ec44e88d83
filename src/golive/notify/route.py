"""Which route an alert takes, and the grouping and repeat settings it gets there.

Routes are tried in order; the first whose ``match`` fits wins. A ``match`` key is one of the
alert's fields (``severity``, ``component``, ``check``, ``alert`` = its name, ``rule``) or else
one of its labels; a list matches any of its values; an empty ``match`` matches everything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from golive.config.notify import Notify, Route
from golive.records import AlertPayload


@dataclass(frozen=True)
class EffectiveRoute:
    """A route with the defaults of ``notify:`` filled in."""

    index: int
    match: Mapping[str, str | list[str]]
    to: tuple[str, ...]
    escalation: str | None
    digest: str | None
    group_by: tuple[str, ...]
    group_wait: timedelta
    repeat_every: timedelta

    @property
    def label(self) -> str:
        """How the route is named in messages and logs: ``route 2 (severity=high)``."""
        shown = ", ".join(
            f"{k}={'|'.join(v) if isinstance(v, list) else v}" for k, v in self.match.items()
        )
        return f"route {self.index + 1} ({shown or 'everything'})"


def effective_routes(notify: Notify) -> list[EffectiveRoute]:
    """Every route of ``notify``, in order, with route-level overrides applied."""
    return [_effective(index, route, notify) for index, route in enumerate(notify.routes)]


def _effective(index: int, route: Route, notify: Notify) -> EffectiveRoute:
    return EffectiveRoute(
        index=index,
        match=dict(route.match),
        to=tuple(route.to),
        escalation=route.escalation,
        digest=route.digest,
        group_by=tuple(route.group_by if route.group_by is not None else notify.group_by),
        group_wait=route.group_wait if route.group_wait is not None else notify.group_wait,
        repeat_every=route.repeat_every if route.repeat_every is not None else notify.repeat_every,
    )


def matches(route: EffectiveRoute, alert: AlertPayload) -> bool:
    """Whether every key of the route's ``match`` fits the alert."""
    return fits(route, alert.value_of)


def fits(route: EffectiveRoute, value_of: Callable[[str], str | None]) -> bool:
    """Whether every key of the route's ``match`` fits what ``value_of`` answers for it (an
    alert's fields and labels, a rollout event's fields)."""
    for key, wanted in route.match.items():
        value = value_of(key)
        options = wanted if isinstance(wanted, list) else [wanted]
        if value is None or value not in options:
            return False
    return True


def route_for(routes: Sequence[EffectiveRoute], alert: AlertPayload) -> EffectiveRoute | None:
    """The first route that matches ``alert``, or None."""
    for route in routes:
        if matches(route, alert):
            return route
    return None


def group_values(route: EffectiveRoute, alert: AlertPayload) -> tuple[str, ...]:
    """The values of the route's ``group_by`` keys for this alert ("" when it has none)."""
    return tuple(alert.value_of(key) or "" for key in route.group_by)


def group_key(route: EffectiveRoute, values: Sequence[str]) -> str:
    """A readable key for a group, stored with its notifications: ``route1:component=API``."""
    pairs = ",".join(f"{k}={v}" for k, v in zip(route.group_by, values, strict=True))
    return f"route{route.index + 1}:{pairs}"
