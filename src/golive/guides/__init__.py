"""Guides: import a Markdown production-readiness guide into a golive config skeleton.

``import_text(markdown, name)`` reads the guide's checklists (every checklist line becomes a gate
item: a built-in check, health checks, a load test or a backup drill when a rule in ``rules``
says the line is one, a manual sign-off otherwise) and the facts around them (SLA targets,
environment variables, health endpoints, hosts, backup frequency), and returns the YAML text —
commented with where each item came from — and a ``Report`` of what was mapped and what was not.
The YAML is a skeleton: its gaps are ``${env:TODO_…}`` references and ``owner: TODO``.
"""

from golive.guides.importer import Imported, import_guide, import_text, read_guide
from golive.guides.report import Report

__all__ = ["Imported", "Report", "import_guide", "import_text", "read_guide"]
