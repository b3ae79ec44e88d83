"""RPO and RTO as alerts: a backup that breaks its promises fires an alert through the same
states, routes and outbox as any other, and resolves once a verified backup keeps them."""

from __future__ import annotations

from pathlib import Path

from golive.backup.drill import run_drill
from golive.backup.run import run_backup
from golive.clock import ManualClock
from golive.engine import open_store
from golive.records import AlertView
from golive.serve.backups import BackupService
from golive.serve.runtime import ServeRuntime
from golive.store import Store
from golive.store.alerts import load_alerts
from tests.devkit.backup import backup_config


def by_name(store: Store, name: str) -> AlertView | None:
    found = [a for a in load_alerts(store, states=None).values() if a.name == name]
    return found[0] if found else None


async def test_a_backup_past_its_rpo_fires_an_alert_that_a_verified_backup_resolves(
    tmp_path: Path,
) -> None:
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "a.txt").write_text("alpha")
    loaded = backup_config(
        tmp_path,
        {
            "name": "uploads",
            "files": {"paths": ["uploads"]},
            "to": {"dir": "b"},
            "rpo": "1h",
            "rto": "10m",
        },
    )
    store = open_store(loaded)
    clock = ManualClock()
    serve = ServeRuntime(loaded, store=store, clock=clock, environ={})
    (service,) = [s for s in serve.services if isinstance(s, BackupService)]

    await service.tick(clock.now())  # no schedule: nothing is taken; no verified backup yet
    await serve.cycle()
    alert = by_name(store, "backup:uploads")
    assert alert is not None and alert.state == "firing", alert
    assert alert.labels == {"backup": "uploads"} and alert.severity == "high"

    await run_backup(loaded, "uploads", store=store, clock=clock, environ={})
    report = await run_drill(loaded, "uploads", store=store, clock=clock, environ={})
    assert report.ok, report.reason
    await service.tick(clock.now())
    await serve.cycle()
    alert = by_name(store, "backup:uploads")
    assert alert is not None and alert.state == "resolved", alert
