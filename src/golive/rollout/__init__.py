"""Rollouts: the canary / blue-green / rolling state machine, its traffic drivers, the
analysis of each step from the edge's access log or Prometheus, automatic rollback, and the
notification of each event through the outbox."""
