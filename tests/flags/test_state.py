"""Runtime changes over the config's definitions, on SQLite and on a real PostgreSQL: the
override wins, the config still defines the flag, every change keeps who, when, why, before and
after, and a bad change is refused without writing anything."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from golive.config.oncall import Incidents
from golive.config.ship import Flag
from golive.exceptions import UsageError
from golive.flags.state import bulk_document, change_flag, current_flags, history
from golive.incidents.lifecycle import open_incident
from golive.incidents.timeline import read as read_timeline
from golive.store import Store, normalise_url
from golive.store.flags import flag_changes

if TYPE_CHECKING:
    from devkit.servers import PostgresServer

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
FLAGS = [
    Flag(name="pwa", enabled=True, rollout=0.25, environments=["production"]),
    Flag(name="dash", enabled=False, roles=["ADMIN"]),
]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        url = normalise_url("sqlite:///state/golive.db", tmp_path)
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = normalise_url(
            server.create_database(f"flags_{abs(hash(request.node.name)) % 10**8}"), tmp_path
        )
    opened = Store.open(url)
    yield opened
    opened.close()


def test_changes_apply_over_the_config_and_are_audited(store: Store) -> None:
    change_flag(store, FLAGS, "pwa", by="user:ana", now=NOW, rollout=60, reason="ramp")
    change_flag(store, FLAGS, "pwa", by="token:ci", now=NOW + timedelta(minutes=1), enabled=False)
    pwa, dash = current_flags(FLAGS, store)
    assert (pwa.enabled, pwa.rollout, pwa.environments) == (False, 60.0, ("production",))
    assert (dash.enabled, dash.rollout) == (False, 100.0)
    newest, oldest = history(store, FLAGS, "pwa")
    assert (newest.changed_by, newest.at, newest.before, newest.after) == (
        "token:ci",
        NOW + timedelta(minutes=1),
        {"enabled": True, "rollout": 60.0},
        {"enabled": False, "rollout": 60.0},
    )
    assert (oldest.changed_by, oldest.reason) == ("user:ana", "ramp")


def test_the_etag_changes_with_a_change_and_only_then(store: Store) -> None:
    _, first = bulk_document(current_flags(FLAGS, store), environment="production")
    _, again = bulk_document(current_flags(FLAGS, store), environment="production")
    change_flag(store, FLAGS, "dash", by="user:ana", now=NOW, enabled=True)
    _, after = bulk_document(current_flags(FLAGS, store), environment="production")
    assert first == again != after


@pytest.mark.parametrize(
    ("name", "changes", "message"),
    [
        ("pwa", {"rollout": 100.5}, "a rollout is a percentage from 0 to 100, got 100.5"),
        ("pwa", {"rollout": -1}, "a rollout is a percentage from 0 to 100, got -1"),
        ("pwa", {"rollout": float("nan")}, "a rollout is a percentage from 0 to 100"),
        ("pwa", {}, "say what to change"),
        ("pwq", {"enabled": True}, "no flag named 'pwq'; did you mean 'pwa'?"),
    ],
)
def test_a_bad_change_is_refused_and_writes_nothing(
    store: Store, name: str, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        change_flag(store, FLAGS, name, by="user:ana", now=NOW, **changes)  # type: ignore[arg-type]
    assert flag_changes(store) == []


def test_a_change_is_told_to_every_open_incident(store: Store) -> None:
    incident = open_incident(
        store, Incidents(), title="Checkout fails", severity="SEV1", at=NOW, actor="test"
    )
    change_flag(
        store,
        FLAGS,
        "pwa",
        by="user:ana",
        now=NOW + timedelta(minutes=2),
        enabled=False,
        reason="crash",
    )
    entry = read_timeline(store, incident.id)[-1]
    assert (entry.kind, entry.actor, entry.at) == ("flag", "user:ana", NOW + timedelta(minutes=2))
    assert entry.message == "flag pwa: on at 25% → off at 25% (crash)"
    assert entry.data == {
        "flag": "pwa",
        "before": {"enabled": True, "rollout": 25.0},
        "after": {"enabled": False, "rollout": 25.0},
        "reason": "crash",
    }
