"""Acknowledging an alert: someone is on it until it resolves."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from golive.alerts import acknowledge
from golive.exceptions import UsageError
from golive.store import Store
from tests.devkit.alerts import World, load

CONFIG = "checks: [{name: api, http: {url: 'http://h/'}, fail_after: 1}]\n"


def firing(tmp_path: Path, store: Store) -> tuple[World, str]:
    w = World(load(tmp_path, CONFIG), store=store)
    w.fail("api")
    w.evaluate()
    return w, w.events[0].fingerprint


def test_an_acknowledged_alert_says_who_is_on_it(tmp_path: Path, store: Store) -> None:
    w, fingerprint = firing(tmp_path, store)
    alert = acknowledge(store, fingerprint, by="alice", now=w.now)
    assert (alert.acknowledged_by, alert.acknowledged_at) == ("alice", w.now)


def test_the_first_acknowledgement_stays(tmp_path: Path, store: Store) -> None:
    w, fingerprint = firing(tmp_path, store)
    acknowledge(store, fingerprint, by="alice", now=w.now)
    again = acknowledge(store, fingerprint, by="bob", now=w.now + timedelta(minutes=1))
    assert (again.acknowledged_by, again.acknowledged_at) == ("alice", w.now)


def test_a_unique_prefix_of_the_fingerprint_is_enough(tmp_path: Path, store: Store) -> None:
    w, fingerprint = firing(tmp_path, store)
    assert acknowledge(store, fingerprint[:8], by="alice", now=w.now).fingerprint == fingerprint
    with pytest.raises(UsageError, match="at least 6 characters"):
        acknowledge(store, fingerprint[:3], by="alice", now=w.now)


def test_acknowledging_what_is_not_firing_is_refused(tmp_path: Path, store: Store) -> None:
    w, fingerprint = firing(tmp_path, store)
    with pytest.raises(UsageError, match="no alert with a fingerprint starting 'ffffff'"):
        acknowledge(store, "ffffff", by="alice", now=w.now)
    with pytest.raises(UsageError, match="no alert with fingerprint"):
        acknowledge(store, "0" * 32, by="alice", now=w.now)
    with pytest.raises(UsageError, match="say who is on it"):
        acknowledge(store, fingerprint, by=" ", now=w.now)
    w.later().succeed("api")
    w.evaluate()
    with pytest.raises(UsageError, match=r"alert api \(.*\) is resolved: nothing to acknowledge"):
        acknowledge(store, fingerprint, by="alice", now=w.now)
