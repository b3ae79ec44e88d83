"""Migrations that cannot take production down: ``golive migrate lint`` (rules over SQL parsed
by PostgreSQL's own parser, each violation with file:line:col and the safe rewrite) and the
gate's ``migration_lint`` item, which runs the same linter; and ``golive migrate apply``
(``apply.py``): a backup first, the migration, integrity checks on the live database
(``integrity.py``), and the backup restored when anything failed.

The package's ``__init__`` stays light: the parser loads when a module below is imported.
"""
