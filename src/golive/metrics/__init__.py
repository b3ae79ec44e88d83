"""Metrics sources: Prometheus exposition parsing and scrape deltas, the nginx JSON access-log
follower, the Prometheus HTTP API client. They turn what a source says into per-minute
``RequestMinute`` records; they never decide what is good or bad, and never touch the store."""
