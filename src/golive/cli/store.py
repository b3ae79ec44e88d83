"""`golive store leases`: who leads each role of a scaled golive, read from the store."""

from __future__ import annotations

import typer

from golive.cli.common import (
    EXIT_OK,
    ConfigOption,
    EnvOption,
    JsonOption,
    guarded,
    load,
    opened,
    print_rows,
)

store = typer.Typer(help="The store itself: leader leases.", no_args_is_help=True)


@store.command("leases")
def store_leases(
    config: ConfigOption = None, env: EnvOption = None, as_json: JsonOption = False
) -> None:
    """Each leader lease: its holder, epoch, expiry and whether it is live now."""

    def command() -> int:
        from golive.clock import SystemClock
        from golive.store.leases import leases

        with opened(load(config, env)) as opened_store:
            found = leases(opened_store)
        now = SystemClock().now()
        rows = [
            {
                "name": lease.name,
                "holder": lease.holder,
                "epoch": lease.epoch,
                "expires_at": lease.expires_at.isoformat(),
                "live": lease.expires_at > now,
            }
            for lease in found
        ]
        print_rows(rows, as_json, ["name", "holder", "epoch", "expires_at", "live"])
        return EXIT_OK

    raise typer.Exit(guarded(command))
