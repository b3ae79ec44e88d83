"""A guide's feature-flag table becomes ``flags:``, each flag with the line it came from, and
the imported flags load and evaluate."""

from __future__ import annotations

import yaml

from golive.config import load_config
from golive.flags import evaluate
from golive.flags.state import definition_of
from golive.gate.registry import argument_models
from golive.guides import import_text

GUIDE = """\
# Portal Guide

#### Feature Flags System
```typescript
export const featureFlags = {
  MOBILE_PWA_INSTALL: {
    enabled: true,
    rolloutPercentage: 25
  },

  ANALYTICS_DASHBOARD: {
    enabled: true,
    rolloutPercentage: 100,
    allowedRoles: ['ADMIN', 'SUPPORT']
  },

  EXPERIMENTAL_FEATURES: {
    enabled: false,
    rolloutPercentage: 0
  }
};
```
"""


def test_a_flag_table_becomes_flags_with_their_lines(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = import_text(GUIDE, "guide.md").yaml
    document = yaml.safe_load(text)
    assert document["flags"] == [
        {"name": "mobile-pwa-install", "enabled": True, "rollout": "25%"},
        {
            "name": "analytics-dashboard",
            "enabled": True,
            "rollout": "100%",
            "roles": ["ADMIN", "SUPPORT"],
        },
        {"name": "experimental-features", "enabled": False, "rollout": "0%"},
    ]
    assert "# line 11: ANALYTICS_DASHBOARD" in text
    assert "TODO: golive buckets users as Unleash does" in text
    path = tmp_path / "golive.yaml"
    path.write_text(text)
    environ = {"TODO_BASE_URL": "https://shop.example", "TODO_HOST": "shop.example"}
    loaded = load_config(path, environ=environ, gate_args=argument_models())
    dashboard = definition_of(loaded.config.flags[1])
    assert evaluate(dashboard, {"roles": ["SUPPORT"]}).value is True
    assert evaluate(dashboard, {"roles": ["USER"]}).value is False


def test_a_guide_without_a_flag_table_has_no_flags() -> None:
    assert "flags" not in yaml.safe_load(
        import_text("# Guide\n\n- [ ] Backups verified\n", "g.md").yaml
    )
