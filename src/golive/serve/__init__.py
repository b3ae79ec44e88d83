"""`golive serve`: the composition root that wires the engine, the store, the alert evaluator,
the notifier and the web app into one long-running process. Holds wiring, not rules."""

from golive.serve.runtime import ServeRuntime

__all__ = ["ServeRuntime"]
