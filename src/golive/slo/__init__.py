"""Service level objectives: SLIs read from the store, error budgets, burn rates, multiwindow
burn-rate alerts, OpenSLO import and export."""
