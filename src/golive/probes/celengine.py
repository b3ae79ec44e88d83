"""The CEL engine (the ``common-expression-language`` package), imported without its REPL.

That package's ``__init__`` also imports its interactive shell (prompt_toolkit and friends:
~180 ms and ~30 MB per process) which golive never uses. An empty ``cel.cli`` placed in
``sys.modules`` first satisfies that import; the engine itself is untouched.
"""

from __future__ import annotations

import sys
import types

if "cel" not in sys.modules:
    sys.modules.setdefault("cel.cli", types.ModuleType("cel.cli"))

import cel

compile_program = cel.compile

__all__ = ["compile_program"]
