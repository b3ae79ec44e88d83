"""The probe kinds golive knows: one line each."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from golive.probes import command, dns, http, postgres, redis, tcp, tls
from golive.probes.base import ProbeKind

BUILTIN: tuple[ProbeKind[Any], ...] = (
    http.KIND,
    tcp.KIND,
    command.KIND,
    tls.KIND,
    dns.KIND,
    postgres.KIND,
    redis.KIND,
)


def builtin_kinds() -> Mapping[str, ProbeKind[Any]]:
    """The built-in probe kinds by name."""
    return {kind.name: kind for kind in BUILTIN}
