"""The one settings path: the config file plus ``GOLIVE_*`` environment variables.

No other module reads ``os.environ``; everything else receives the mapping from here. Every
``GOLIVE_*`` value can also come from a file named by ``GOLIVE_*_FILE`` (for secrets).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def environ() -> Mapping[str, str]:
    """The process environment, with ``GOLIVE_X_FILE`` resolved into ``GOLIVE_X``."""
    values = dict(os.environ)
    for name, path in list(values.items()):
        if name.startswith("GOLIVE_") and name.endswith("_FILE"):
            target = name.removesuffix("_FILE")
            if target not in values:
                values[target] = Path(path).read_text(encoding="utf-8").strip()
    return values


COMMAND_ENV_NAMES = ("PATH", "HOME", "LANG")
_DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"


def command_environ() -> dict[str, str]:
    """The environment a ``command:`` check starts from: only PATH, HOME and LANG of golive's
    own (so no unrelated secret of golive's reaches a command's output); the check adds its
    ``env:``."""
    values = {name: os.environ[name] for name in COMMAND_ENV_NAMES if name in os.environ}
    values.setdefault("PATH", _DEFAULT_PATH)
    return values
