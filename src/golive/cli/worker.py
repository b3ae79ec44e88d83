"""`golive worker`: a Celery worker that probes from one region."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from golive.cli.common import EXIT_USAGE, ConfigOption, EnvOption, fail, guarded, load


def worker(
    region: Annotated[
        str, typer.Option("--region", help="The region this worker probes from (workers.regions).")
    ],
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, help="Batches of checks run at once.")
    ] = 8,
    heartbeat: Annotated[
        float, typer.Option("--heartbeat", min=0.2, help="Seconds between two heartbeats.")
    ] = 5.0,
    config: ConfigOption = None,
    env: EnvOption = None,
) -> None:
    """Run the checks, backups and restore drills that `golive serve` sends to REGION's queue
    (needs `workers:` and a PostgreSQL store), until SIGTERM or SIGINT."""

    def command() -> int:
        from golive import settings
        from golive.clock import SystemClock
        from golive.config import load_config
        from golive.engine import open_store
        from golive.gate.registry import argument_models
        from golive.scale.jobs import JobRunner
        from golive.scale.regions import SQLITE_WITH_WORKERS
        from golive.scale.tasks import make_app, reach
        from golive.scale.worker import ProbeWorker, start

        loaded = load(config, env)
        workers = loaded.config.workers
        if workers.broker is None:
            fail(f"workers.broker is not set in {loaded.path}: where would tasks come from?")
        if region not in workers.regions:
            known = ", ".join(workers.regions) or "none"
            fail(f"--region {region} is not one of workers.regions in {loaded.path} ({known})")
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)-5s %(message)s")
        store = open_store(loaded)
        try:
            if store.engine.dialect.name == "sqlite":
                fail(SQLITE_WITH_WORKERS, EXIT_USAGE)
            app = make_app(workers.broker)
            reach(app)
            environ = settings.environ()
            gate_args = argument_models()
            probes = ProbeWorker(
                region=region,
                concurrency=concurrency,
                store=store,
                clock=SystemClock(),
                load=lambda path, environment: load_config(
                    path, environ=environ, env=environment, gate_args=gate_args
                ),
            )
            return start(app, probes, heartbeat=heartbeat, jobs=JobRunner(probes, environ))
        finally:
            store.close()

    raise typer.Exit(guarded(command))
