"""Flags as ``golive serve`` holds them: the config's definitions with the store's runtime
overrides applied, changes (with their audit entry and a line in every open incident's
timeline), and the bulk document SDKs fetch."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from golive.config.ship import Flag
from golive.exceptions import UsageError
from golive.flags.model import Constraint, FlagDefinition
from golive.incidents.timeline import append_to_open
from golive.store.flags import (
    FlagChangeView,
    FlagOverrideView,
    flag_changes,
    flag_overrides,
    write_flag_change,
)
from golive.store.store import Store

MAX_REASON = 500


def definition_of(flag: Flag) -> FlagDefinition:
    """A config flag as the evaluator's plain value (rollout as 0–100)."""
    return FlagDefinition(
        name=flag.name,
        description=flag.description,
        enabled=flag.enabled,
        rollout=round(flag.rollout * 100, 6),
        roles=tuple(flag.roles),
        environments=tuple(flag.environments),
        constraints=tuple(
            Constraint(c.field, c.operator, tuple(c.values), c.inverted, c.case_insensitive)
            for c in flag.constraints
        ),
    )


def apply(definition: FlagDefinition, override: FlagOverrideView | None) -> FlagDefinition:
    if override is None:
        return definition
    return replace(
        definition,
        enabled=definition.enabled if override.enabled is None else override.enabled,
        rollout=definition.rollout if override.rollout is None else override.rollout,
    )


def current_flags(flags: Sequence[Flag], store: Store) -> list[FlagDefinition]:
    """Every configured flag as it is now."""
    overrides = flag_overrides(store)
    return [apply(definition_of(f), overrides.get(f.name)) for f in flags]


def find_flag(flags: Sequence[Flag], store: Store, name: str) -> FlagDefinition:
    """One flag as it is now; ``UsageError`` (with a suggestion) for an unknown name."""
    for flag in current_flags(flags, store):
        if flag.name == name:
            return flag
    raise UsageError.unknown("flag", name, [f.name for f in flags])


def change_flag(
    store: Store,
    flags: Sequence[Flag],
    name: str,
    *,
    by: str,
    now: datetime,
    enabled: bool | None = None,
    rollout: float | None = None,
    reason: str = "",
) -> FlagChangeView:
    """Turn a flag on or off and/or set its rollout (percent), keeping who, when, why, before
    and after. ``UsageError`` for an unknown flag, a rollout outside 0–100 or nothing to change."""
    if enabled is None and rollout is None:
        raise UsageError("say what to change: enabled, disabled or a rollout")
    if rollout is not None and not 0 <= rollout <= 100:
        raise UsageError(f"a rollout is a percentage from 0 to 100, got {rollout:g}")
    if len(reason) > MAX_REASON:
        raise UsageError(f"a reason is at most {MAX_REASON} characters")
    now_flag = find_flag(flags, store, name)
    new_enabled = now_flag.enabled if enabled is None else enabled
    new_rollout = now_flag.rollout if rollout is None else float(rollout)
    before = {"enabled": now_flag.enabled, "rollout": now_flag.rollout}
    after = {"enabled": new_enabled, "rollout": new_rollout}
    override = FlagOverrideView(
        name=name,
        enabled=new_enabled,
        rollout=new_rollout,
        changed_at=now,
        changed_by=by,
    )
    change = write_flag_change(store, override, reason=reason, before=before, after=after)
    append_to_open(
        store,
        kind="flag",
        at=now,
        actor=by,
        message=f"flag {name}: {_state(before)} → {_state(after)}"
        + (f" ({reason})" if reason else ""),
        data={"flag": name, "before": before, "after": after, "reason": reason},
    )
    return change


def _state(values: dict[str, Any]) -> str:
    shown = "on" if values["enabled"] else "off"
    return shown if values["rollout"] >= 100 else f"{shown} at {values['rollout']:g}%"


def history(
    store: Store, flags: Sequence[Flag], name: str, *, limit: int = 100
) -> list[FlagChangeView]:
    if name not in {f.name for f in flags}:
        raise UsageError.unknown("flag", name, [f.name for f in flags])
    return flag_changes(store, name, limit=limit)


def bulk_document(
    definitions: Sequence[FlagDefinition], *, environment: str
) -> tuple[dict[str, Any], str]:
    """What ``GET /api/flags`` answers, and its ETag (a hash of exactly that content). The SDK
    evaluates in ``environment`` unless the app's context names another."""
    body = {"version": 1, "environment": environment, "flags": [d.to_json() for d in definitions]}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return body, '"' + hashlib.sha256(canonical).hexdigest()[:32] + '"'
