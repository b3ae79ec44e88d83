"""What holds an alert back: silences, maintenance windows and dependency inhibition.

- A **maintenance window** is active when its most recent start (cron, evaluated in UTC, or the
  one-off ``start``) is at or before now and now is before start + duration. It covers the
  checks it names *and* the checks of the components it names; naming neither covers
  everything.
- A **silence** is active from ``starts_at`` (inclusive) to ``ends_at`` (exclusive) unless it
  was expired. When several apply, a maintenance window wins (first in config order), then the
  silence that ends last (lowest id on a tie), so ``silenced_by`` does not flap.
- **Inhibition**: an alert whose check depends (transitively) on a DOWN check is inhibited by
  the root cause, the deepest DOWN dependency along the first ``depends_on`` path that has one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

from cronsim import CronSim, CronSimError

from golive.config import ConfigBase, LoadedConfig
from golive.config.notify import Maintenance
from golive.exceptions import ConfigError, Issue
from golive.records import AlertView, CheckStatus, SilenceView


def window_start(window: Maintenance, now: datetime) -> datetime | None:
    """The most recent start of ``window`` at or before ``now`` (None if it never started)."""
    if window.start is not None:
        start = window.start if window.start.tzinfo else window.start.replace(tzinfo=UTC)
        return start if start <= now else None
    assert window.cron is not None, "a validated window has cron or start"
    # CronSim in reverse yields times strictly before its start: begin one second after now.
    after = now.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1)
    try:
        return next(CronSim(window.cron, after, reverse=True))
    except CronSimError as exc:
        message = f"maintenance[{window.name}].cron: invalid cron expression {window.cron!r}: {exc}"
        raise ConfigError([Issue(message)]) from exc
    except StopIteration:
        return None


def active_windows(config: ConfigBase, now: datetime) -> list[Maintenance]:
    """The maintenance windows in effect at ``now``, in config order."""
    active = []
    for window in config.maintenance:
        start = window_start(window, now)
        if start is not None and start <= now < start + window.duration:
            active.append(window)
    return active


def covers(window: Maintenance, check: str | None, component: str | None) -> bool:
    if not window.checks and not window.components:
        return True
    return (check is not None and check in window.checks) or (
        component is not None and component in window.components
    )


def maintenance_status(config: LoadedConfig, now: datetime) -> dict[str, str]:
    """``{check name: window name}`` for every check under maintenance at ``now``."""
    windows = active_windows(config.config, now)
    status: dict[str, str] = {}
    for check in config.config.checks:
        for window in windows:
            if covers(window, check.name, check.component):
                status[check.name] = window.name
                break
    return status


class Holds:
    """Silences, windows and DOWN checks at one moment; answers for one alert at a time."""

    def __init__(
        self,
        config: LoadedConfig,
        statuses: Mapping[str, CheckStatus],
        silences: Sequence[SilenceView],
        now: datetime,
    ) -> None:
        self.windows = active_windows(config.config, now)
        active = [s for s in silences if s.is_active(now)]
        self.silences = sorted(active, key=lambda s: (-s.ends_at.timestamp(), s.id))
        self.down = {name for name, status in statuses.items() if status.state == "down"}
        self._checks = config.config.checks
        self._depends_on: dict[str, list[str]] | None = None  # made when a check is DOWN
        self._roots: dict[str, str | None] = {}

    def silenced_by(self, alert: AlertView) -> str | None:
        """``maintenance:NAME`` or ``silence:ID`` for the hold that mutes ``alert``, if any."""
        for window in self.windows:
            if covers(window, alert.check, alert.component):
                return f"maintenance:{window.name}"
        for silence in self.silences:
            if silence.matches(alert):
                return f"silence:{silence.id}"
        return None

    def inhibited_by(self, check: str | None) -> str | None:
        """The root-cause DOWN dependency of ``check`` (None when none is DOWN)."""
        if check is None or not self.down:
            return None
        return self._root(check, frozenset())

    def _root(self, check: str, trail: frozenset[str]) -> str | None:
        if check in self._roots:
            return self._roots[check]
        found: str | None = None
        if self._depends_on is None:
            self._depends_on = {c.name: list(c.depends_on) for c in self._checks}
        for dependency in self._depends_on.get(check, []):
            if dependency in trail:  # the config refuses loops; never recurse forever anyway
                continue
            deeper = self._root(dependency, trail | {check})
            found = deeper or (dependency if dependency in self.down else None)
            if found:
                break
        self._roots[check] = found
        return found
