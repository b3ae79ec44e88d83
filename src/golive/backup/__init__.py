"""Backups (``backups:``): dumps of PostgreSQL, Redis and files to a directory or S3, a catalog
with checksums, grandfather-father-son retention, and restore drills kept as evidence.

Entry points (``golive.backup.run`` / ``golive.backup.drill``): ``run_backup``, ``prune``,
``run_drill``, ``restore``; kinds and targets each have a registry of one line per module.
"""

__all__: list[str] = []
