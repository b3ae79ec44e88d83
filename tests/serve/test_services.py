"""Services: the loops later stages add beside the check cycle start, tick, follow reloads,
survive a failing tick and stop with golive."""

from __future__ import annotations

import asyncio
import textwrap
from datetime import datetime
from pathlib import Path

from golive.clock import ManualClock
from golive.config import LoadedConfig, load_config
from golive.serve.runtime import ServeRuntime
from golive.serve.services import Service, ServiceContext
from golive.store import Store, normalise_url

CONFIG = """\
version: 1
project: shop
checks:
  - {name: web, tcp: {host: 127.0.0.1, port: 1}, every: 1h}
"""


class Recorder:
    name = "recorder"
    interval = 0.01

    def __init__(self, ctx: ServiceContext) -> None:
        self.ctx = ctx
        self.ticks: list[datetime] = []
        self.reloads: list[LoadedConfig] = []

    async def tick(self, now: datetime) -> None:
        self.ticks.append(now)
        if len(self.ticks) == 2:
            raise RuntimeError("a bad tick")  # logged and counted; the loop goes on
        if len(self.ticks) >= 4:
            self.ctx.wake()

    def reload(self, loaded: LoadedConfig) -> None:
        self.reloads.append(loaded)


def make_runtime(tmp_path: Path, *factories: object) -> ServeRuntime:
    path = tmp_path / "golive.yaml"
    path.write_text(textwrap.dedent(CONFIG))
    loaded = load_config(path, environ={})
    store = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    return ServeRuntime(
        loaded,
        store=store,
        clock=ManualClock(),
        environ={},
        services=tuple(factories),  # type: ignore[arg-type]
    )


def no_service(ctx: ServiceContext) -> Service | None:
    return None


async def test_a_service_ticks_until_golive_stops_and_a_failing_tick_does_not_end_it(
    tmp_path: Path,
) -> None:
    made: list[Recorder] = []

    def recorder(ctx: ServiceContext) -> Service:
        made.append(Recorder(ctx))
        return made[0]

    serve = make_runtime(tmp_path, recorder, no_service)
    assert [s.name for s in serve.services] == ["recorder"]
    running = asyncio.create_task(serve.run())
    for _ in range(500):
        if len(made[0].ticks) >= 5:
            break
        await asyncio.sleep(0.01)
    serve.stop()
    await asyncio.wait_for(running, 10)
    assert len(made[0].ticks) >= 5
    errors = serve.metrics.registry.get_sample_value(
        "golive_cycle_errors_total", {"step": "recorder"}
    )
    assert errors == 1.0
    assert made[0].ctx.config() is serve.loaded
    assert made[0].ctx.stopping()


def test_a_reload_reaches_every_service(tmp_path: Path) -> None:
    made: list[Recorder] = []

    def recorder(ctx: ServiceContext) -> Service:
        made.append(Recorder(ctx))
        return made[0]

    serve = make_runtime(tmp_path, recorder)
    fresh = load_config(tmp_path / "golive.yaml", environ={})
    serve.apply(fresh)
    assert made[0].reloads == [fresh]
    assert made[0].ctx.config() is fresh


SIGNAL_CONFIG = """\
version: 1
project: shop
checks:
  - {name: web, tcp: {host: 127.0.0.1, port: 1}, every: 1h}
metrics:
  - {name: edge, access_log: {path: /tmp/none.log}}
alerts:
  - {name: errors, requests: edge, when: error_rate > 0.1, over: 1m}
"""


async def test_signals_from_a_service_reach_the_alert_cycle_even_without_check_results(
    tmp_path: Path,
) -> None:
    from golive.records import Signal
    from golive.store.alerts import load_alerts

    class Signaller:
        name = "signaller"
        interval = 0.01

        def __init__(self, ctx: ServiceContext) -> None:
            self.ctx = ctx

        async def tick(self, now: datetime) -> None:
            self.ctx.signal([Signal("errors", now, {"error_rate": 0.5})])
            self.ctx.wake()

        def reload(self, loaded: LoadedConfig) -> None:
            pass

    path = tmp_path / "golive.yaml"
    path.write_text(SIGNAL_CONFIG)
    store = Store.open(normalise_url("sqlite:///golive.db", tmp_path))
    serve = ServeRuntime(
        load_config(path, environ={}),
        store=store,
        clock=ManualClock(),
        environ={},
        services=(Signaller,),
    )
    await serve.cycle()  # no results, no alerts: the next cycles could be skipped
    await serve.services[0].tick(serve.clock.now())
    await serve.cycle()
    alerts = [a for a in load_alerts(store).values() if a.name == "errors"]
    assert [(a.state, a.check) for a in alerts] == [("firing", None)]
    assert not serve._alerting.signals_changed  # judged: nothing left for the next cycle


async def test_a_service_the_config_asks_for_only_after_a_reload_starts_then(
    tmp_path: Path,
) -> None:
    """A factory that said "nothing for me" at start is asked again on each reload: adding
    `reports:` or a metrics source to a running golive starts its service, without a restart."""
    made: list[Recorder] = []

    def wanted_with_two_checks(ctx: ServiceContext) -> Service | None:
        if len(ctx.config().config.checks) < 2:
            return None
        made.append(Recorder(ctx))
        return made[-1]

    serve = make_runtime(tmp_path, wanted_with_two_checks)
    assert serve.services == []
    running = asyncio.create_task(serve.run())
    path = tmp_path / "golive.yaml"
    path.write_text(CONFIG + "  - {name: api, tcp: {host: 127.0.0.1, port: 1}, every: 1h}\n")
    serve.apply(load_config(path, environ={}))
    serve.apply(load_config(path, environ={}))  # asked once: a second reload reloads it
    assert [s.name for s in serve.services] == ["recorder"] and len(made) == 1
    for _ in range(500):
        if made[0].ticks:
            break
        await asyncio.sleep(0.01)
    serve.stop()
    await asyncio.wait_for(running, 10)
    assert made[0].ticks, "the service started by the reload never ticked"
    assert len(made[0].reloads) == 1
