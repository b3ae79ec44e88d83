"""Smoke journeys in a guide become ``steps:`` checks, with the line they came from."""

from __future__ import annotations

from pathlib import Path

from golive.config import load_config
from golive.config.later_checks import StepsSpec
from golive.gate.registry import argument_models
from golive.guides import import_text

GUIDE = """\
# Shop go-live

## Synthetic Monitoring

**Interval**: Every 5 minutes

```bash
# Check key flows
- Homepage loads
- User can login
- User can create booking
- Admin can view dashboard
```

## Uptime

- Pingdom every 1 minute
"""

ARROWS = """\
# Shop

## Smoke tests

Run after each deploy: log in → search for a space -> checkout
"""


def test_the_flows_of_a_synthetic_monitoring_section_become_a_journey() -> None:
    text = import_text(GUIDE, "shop.md").yaml
    assert (
        "  # from line 9 (Synthetic Monitoring): Homepage loads → User can login → User can"
        " create booking → Admin can view dashboard\n" in text
    )
    assert "  - name: synthetic-monitoring-journey\n    every: 5m\n    steps:\n" in text
    assert '      - name: home\n        http: {url: "${env:TODO_HOME_URL}"}\n' in text
    assert (
        '      - name: login\n        http: {url: "${env:TODO_LOGIN_URL}", method: POST}\n' in text
    )
    assert "      - name: book\n" in text and "      - name: dashboard\n" in text
    assert "Pingdom" not in text  # the next section's items are not flows


def test_flows_joined_by_arrows_are_steps_in_order(tmp_path: Path) -> None:
    text = import_text(ARROWS, "shop.md").yaml
    assert "(Smoke tests): log in → search for a space → checkout" in text
    names = [line.split(": ")[1] for line in text.splitlines() if line.startswith("      - name")]
    assert names == ["login", "search", "checkout"]
    # the skeleton is a valid config once its TODO variables are given
    path = tmp_path / "golive.yaml"
    path.write_text(text, encoding="utf-8")
    environ = {v: "http://127.0.0.1:1/x" for v in ("TODO_LOGIN_URL", "TODO_SEARCH_URL")}
    environ |= {"TODO_CHECKOUT_URL": "http://127.0.0.1:1/y", "TODO_BASE_URL": "http://a"}
    environ |= {"TODO_HOST": "a", "TODO_HEALTH_URL": "http://a/health"}
    loaded = load_config(path, environ=environ, gate_args=argument_models())
    journey = loaded.config.check("smoke-tests-journey")
    assert isinstance(journey.spec, StepsSpec)
    assert [step.name for step in journey.spec.steps] == ["login", "search", "checkout"]


def test_a_section_without_flows_is_no_journey() -> None:
    text = import_text("# Shop\n\n## Smoke tests\n\nRun `npm run test:smoke`.\n", "s.md").yaml
    assert "journey" not in text
