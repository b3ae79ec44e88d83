"""The guide's uptime, latency and error-rate targets become `slos:` entries."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from golive.config import load_config
from golive.gate.registry import argument_models
from golive.guides import import_text

GUIDE = """\
# Shop Production Guide

The load balancer health checks hit https://shop.acme.io/healthz every 10 seconds.

### API Response Time SLA

| Endpoint Type | Target (p95) | Alert Threshold |
|---------------|-------------|-----------------|
| List endpoints | 200ms | > 300ms |
| Search | 250ms | > 375ms |

### Uptime SLA
```
Target: 99.5% monthly uptime
Alert: when uptime drops below 99% for an hour
```

- **Error Rate**: <0.1% error rate
"""


def test_uptime_latency_rows_and_error_rate_become_slos() -> None:
    data = yaml.safe_load(import_text(GUIDE, "shop.md").yaml)
    assert data["slos"] == [
        {
            "name": "availability",
            "objective": "99.5%",
            "window": "30d",
            "sli": {"check": "healthz"},
        },
        {
            "name": "list-latency",
            "objective": "95%",
            "window": "7d",
            "sli": {
                "requests": "app",
                "where": {"route": "${env:TODO_LIST_PATH}"},
                "good": {"latency_below": "200ms"},
            },
        },
        {
            "name": "search-latency",
            "objective": "95%",
            "window": "7d",
            "sli": {
                "requests": "app",
                "where": {"route": "${env:TODO_SEARCH_PATH}"},
                "good": {"latency_below": "250ms"},
            },
        },
        {
            "name": "errors",
            "objective": "99.9%",
            "window": "30d",
            "sli": {"requests": "app", "good": {"status_below": 500}},
        },
    ]
    assert data["metrics"] == [{"name": "app", "prometheus": {"url": "${env:TODO_METRICS_URL}"}}]


def test_each_slo_says_which_line_it_came_from() -> None:
    text = import_text(GUIDE, "shop.md").yaml
    assert "- name: availability                          # line 14: 99.5% uptime" in text
    assert "# line 9: List endpoints p95 < 200ms" in text
    assert "# line 18: error rate < 0.1%" in text


def test_a_guide_with_uptime_only_needs_no_metrics_source(tmp_path: Path) -> None:
    text = import_text("# Shop\n\n- **Uptime**: 99.9% availability\n", "shop.md").yaml
    data = yaml.safe_load(text)
    assert "metrics" not in data
    assert data["slos"][0]["sli"] == {"check": "app-health"}  # the guide names no endpoint
    path = tmp_path / "golive.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_config(
        path,
        environ={
            "TODO_HEALTH_URL": "http://127.0.0.1:1/",
            "TODO_BASE_URL": "http://x",
            "TODO_HOST": "x",
        },
        gate_args=argument_models(),
    )
    assert [s.objective for s in loaded.config.slos] == [pytest.approx(0.999)]
