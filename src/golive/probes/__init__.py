"""Probes: one module per kind, each measuring one target and returning its fields.

Probes never touch the store; the engine turns their fields into evidence.
"""

from golive.probes.base import COMMON_FIELDS, ProbeContext, ProbeError, ProbeKind, ProbeSpec
from golive.probes.registry import builtin_kinds

__all__ = ["COMMON_FIELDS", "ProbeContext", "ProbeError", "ProbeKind", "ProbeSpec", "builtin_kinds"]
