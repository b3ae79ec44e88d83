"""Alerts and their events in a real store (SQLite and PostgreSQL), through the same queries."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from golive.exceptions import StoreError
from golive.records import Evaluation, Transition
from golive.store import Store
from golive.store.alerts import (
    alert_history,
    get_alert,
    list_alerts,
    load_alerts,
    save_evaluation,
)
from golive.store.tables_monitor import Alert
from tests.devkit.alerts import World, load

CONFIG = """
components: [{name: API}]
checks:
  - {name: api, component: API, http: {url: "http://h/"}, fail_after: 1, labels: {team: web}}
  - {name: db, tcp: {host: h, port: 5432}, fail_after: 2}
"""


def world(tmp_path: Path, store: Store) -> World:
    return World(load(tmp_path, CONFIG), store=store)


def notifier_sent(store: Store, fingerprint: str, at: object) -> None:
    """What the notifier does once it has sent a notification for an alert."""
    with store.engine.begin() as connection:
        connection.execute(
            update(Alert).where(Alert.fingerprint == fingerprint).values(last_notified_at=at)
        )


def test_the_store_keeps_alerts_across_a_restart(tmp_path: Path, store: Store) -> None:
    w = world(tmp_path, store)
    w.fail("api", "db")
    w.evaluate()
    before = load_alerts(store)
    assert {a.name: a.state for a in before.values()} == {"api": "firing", "db": "pending"}
    url = store.engine.url.render_as_string(hide_password=False)
    reopened = Store.open(url)
    try:
        after = load_alerts(reopened)
        assert after == before
        api = next(a for a in after.values() if a.name == "api")
        assert api.labels == {"team": "web"}
        assert api.firing_since == w.now and api.firing_since.tzinfo is not None
        assert api.details["failed"] == [{"expect": "status < 400", "values": {"status": 503}}]
        # a restarted evaluator with the same news decides nothing new
        w.store = reopened
        assert w.later().evaluate().events == ()
    finally:
        reopened.close()


def test_an_alert_history_is_newest_first(tmp_path: Path, store: Store) -> None:
    w = world(tmp_path, store)
    w.fail("db")
    w.evaluate()
    w.later().fail("db")
    w.evaluate()
    w.later().succeed("db")
    w.evaluate()
    fingerprint = w.events[0].fingerprint
    history = alert_history(store, fingerprint)
    assert [e.transition for e in history] == ["resolved", "firing", "pending"]
    assert history[0].payload["summary"] == "db is UP again (was DOWN since 12:01:00Z)"
    assert history[0].routed_at is None
    assert [e.transition for e in alert_history(store, fingerprint, limit=1)] == ["resolved"]


def test_saving_keeps_what_the_notifier_and_people_wrote(tmp_path: Path, store: Store) -> None:
    w = world(tmp_path, store)
    w.fail("api")
    w.evaluate()
    fingerprint = w.events[0].fingerprint
    notifier_sent(store, fingerprint, w.now)
    from golive.alerts import acknowledge

    acknowledge(store, fingerprint, by="alice", now=w.now)
    w.later().fail("api", status=502)  # the summary changes, so the row is written again
    assert w.evaluate().alerts
    alert = get_alert(store, fingerprint)
    assert alert is not None
    assert "status = 502" in alert.summary
    assert (alert.last_notified_at, alert.acknowledged_by) == (
        w.now - timedelta(minutes=1),
        "alice",
    )
    w.later().succeed("api")
    w.evaluate()
    resolved = get_alert(store, fingerprint)
    assert resolved is not None and resolved.acknowledged_by is None
    assert resolved.last_notified_at is not None  # the notifier still knows it told someone
    w.later().fail("api")  # a new episode; the notifier judges it against the previous end
    w.evaluate()
    again = get_alert(store, fingerprint)
    assert again is not None
    assert (again.state, again.resolved_at, again.acknowledged_by) == ("firing", None, None)
    assert again.last_notified_at == resolved.last_notified_at


def test_listing_alerts_filters_by_state_and_more(tmp_path: Path, store: Store) -> None:
    w = world(tmp_path, store)
    w.fail("api", "db")
    w.evaluate()
    assert [a.name for a in list_alerts(store, state="firing")] == ["api"]
    assert {a.name for a in list_alerts(store, state=["pending", "firing"])} == {"api", "db"}
    assert [a.name for a in list_alerts(store, component="API")] == ["api"]
    assert [a.name for a in list_alerts(store, check="db", severity="high")] == ["db"]
    assert len(list_alerts(store, limit=1)) == 1
    assert list_alerts(store, state="resolved") == []


def test_an_evaluation_is_saved_whole_or_not_at_all(tmp_path: Path, store: Store) -> None:
    w = world(tmp_path, store)
    w.fail("api")
    good = w.evaluate()
    w.later().succeed("api")
    w.store = None
    resolving = w.evaluate()
    bad = Evaluation(
        resolving.at,
        resolving.alerts,
        (Transition(None, "firing", resolving.at, {}),),  # type: ignore[arg-type]
    )
    with pytest.raises(StoreError, match="cannot save alerts"):
        save_evaluation(store, bad)
    assert {a.state for a in load_alerts(store).values()} == {"firing"}
    stored = [e for f in {e.fingerprint for e in good.events} for e in alert_history(store, f)]
    assert len(stored) == len(good.events)
