"""Signing a manual readiness item: a named person vouches for it until it expires."""

from __future__ import annotations

import difflib
from datetime import datetime

from golive.config import LoadedConfig
from golive.exceptions import UsageError
from golive.store import Store
from golive.store.gate import SignoffView, add_signoff


def sign(
    store: Store, loaded: LoadedConfig, item_name: str, *, by: str, note: str, now: datetime
) -> SignoffView:
    """Sign ``item_name``; unknown or measured items are refused with the names that can be."""
    items = {item.name: item for item in loaded.config.gate}
    manual = [name for name, item in items.items() if item.manual]
    item = items.get(item_name)
    if item is None:
        hint = difflib.get_close_matches(item_name, list(items), n=1)
        listed = "; ".join(f'"{name}"' for name in manual) or "none"
        more = f'did you mean "{hint[0]}"? ' if hint else ""
        raise UsageError(f'no gate item "{item_name}"; {more}items to sign: {listed}')
    if not item.manual:
        raise UsageError(
            f'"{item_name}" is measured, not signed; items to sign: '
            + "; ".join(f'"{n}"' for n in manual)
        )
    if not by.strip():
        raise UsageError("--by needs the name of the person signing")
    view = SignoffView(
        id=0,
        item=item.name,
        environment=loaded.environment,
        signed_by=by.strip(),
        note=note,
        signed_at=now,
        expires_at=now + item.signoff_valid_for,
    )
    return add_signoff(store, view)
