"""``tcp:`` — a TCP connection is accepted (and closed at once)."""

from __future__ import annotations

import contextlib
from typing import Any

from pydantic import Field

from golive.probes.base import ProbeContext, ProbeError, ProbeKind, ProbeSpec, os_reason


class TcpSpec(ProbeSpec):
    host: str
    port: int = Field(ge=1, le=65535)

    def describe(self) -> str:
        return f"{self.host}:{self.port}"


async def run(spec: TcpSpec, ctx: ProbeContext) -> dict[str, Any]:
    import asyncio  # imported on use: loading a config (golive validate) never needs it

    try:
        _, writer = await asyncio.open_connection(spec.host, spec.port)
    except OSError as exc:
        raise ProbeError(f"cannot connect to {spec.host}:{spec.port}: {os_reason(exc)}") from exc
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return {}


KIND = ProbeKind(
    name="tcp",
    spec=TcpSpec,
    fields={},
    default_expect=("ok_connect",),
    run=run,
    summary="a TCP connection; passes when it is accepted",
)
