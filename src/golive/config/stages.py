"""Which configured sections golive can act on yet.

Every section of the reference parses today; the behaviour of some arrives with later stages.
Commands that would use such a section say so ("not yet supported") instead of ignoring it.
"""

from __future__ import annotations

from dataclasses import dataclass

from golive.config.root import ConfigBase


@dataclass(frozen=True)
class Section:
    key: str
    stage: str
    supported: bool

    def count(self, config: ConfigBase) -> int:
        value = getattr(config, self.key)
        if isinstance(value, list):
            return len(value)
        dumped = value.model_dump(exclude_defaults=True)
        return sum(len(v) if isinstance(v, list | dict) else 1 for v in dumped.values())


SECTIONS = (
    Section("server", "alerts & notify", True),
    Section("components", "checks", True),
    Section("checks", "checks", True),
    Section("maintenance", "alerts & notify", True),
    Section("notify", "alerts & notify", True),
    Section("metrics", "SLOs", True),
    Section("slos", "SLOs", True),
    Section("alerts", "alerts & notify", True),
    Section("loadtests", "SLOs", True),
    Section("oncall", "incidents & on-call", True),
    Section("incidents", "incidents & on-call", True),
    Section("reports", "incidents & on-call", True),
    Section("gate", "gate", True),
    Section("rollouts", "rollouts", True),
    Section("backups", "backups", True),
    Section("flags", "flags", True),
    Section("workers", "scale", True),
)


def not_yet_supported(config: ConfigBase) -> list[tuple[Section, int]]:
    """The configured sections (with their size) whose stage has not landed yet."""
    return [(s, n) for s in SECTIONS if not s.supported and (n := s.count(config))]
