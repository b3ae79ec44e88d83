"""Rollouts: the canary / blue-green / rolling state machine, its traffic drivers, the
analysis of each step from the edge's access log, and automatic rollback."""
