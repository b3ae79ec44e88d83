"""Heartbeat rows: one secret per check, created once, rotated on demand, states kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from golive.store import Store, normalise_url
from golive.store.heartbeats import (
    ensure_heartbeats,
    load_heartbeats,
    ping_secret,
    ping_secrets,
    rotate_secret,
    save_heartbeats,
)

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_a_check_gets_one_secret_which_rotation_replaces(tmp_path: Path) -> None:
    store = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    ensure_heartbeats(store, ["a", "b"], T0)
    first = ping_secrets(store)
    ensure_heartbeats(store, ["a", "b", "c"], T0 + timedelta(hours=1))  # a and b keep theirs
    assert {k: v for k, v in ping_secrets(store).items() if k != "c"} == first
    assert ping_secret(store, "a", T0) == first["a"] and len(first["a"]) >= 32
    rotated = rotate_secret(store, "a", T0)
    assert rotated != first["a"] and ping_secrets(store)["a"] == rotated
    store.close()


def test_states_are_stored_and_read_back(tmp_path: Path) -> None:
    store = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    ensure_heartbeats(store, ["a"], T0)
    state = load_heartbeats(store)["a"]
    assert state.watched_since == T0 and state.runs == 0
    changed = replace(state, last_ping_at=T0, exit_code=3, duration_s=1.5, runs=4, missed=T0)
    save_heartbeats(store, [changed])
    assert load_heartbeats(store)["a"] == changed
    store.close()
