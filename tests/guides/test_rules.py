"""Mapping rules: which lines a built-in, health checks, a load test or a backup drill proves,
the category of each line, and which lines are not go-live conditions."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from golive.guides import import_text
from golive.guides.rules import RULES, match_rule


def imported(line: str, heading: str = "Go-Live Checklist", extra: str = "") -> dict[str, Any]:
    data = yaml.safe_load(import_text(f"## {heading}\n\n- [ ] {line}\n{extra}", "guide.md").yaml)
    assert isinstance(data, dict)
    return data


def item(line: str, heading: str = "Go-Live Checklist", extra: str = "") -> dict[str, Any]:
    gate = imported(line, heading, extra)["gate"][0]
    assert isinstance(gate, dict)
    return gate


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_each_rule_maps_its_example_line(rule: Any) -> None:
    assert match_rule(rule.example) is rule


def test_ssl_certificates_installed_becomes_a_tls_item() -> None:
    assert item("SSL certificates installed") == {
        "name": "SSL certificates installed",
        "category": "technical",
        "run": "tls",
        "with": {"host": "${host}", "port": 443, "min_days": 30},
    }


def test_security_headers_configured_becomes_a_security_headers_item() -> None:
    found = item("Security headers configured")
    assert (found["run"], found["with"]) == ("security_headers", {"url": "${base_url}/"})


def test_https_enabled_on_all_endpoints_becomes_an_https_redirect_item() -> None:
    found = item("HTTPS enabled on all endpoints")
    assert (found["run"], found["with"]) == ("https_redirect", {"url": "http://${host}/"})


def test_rate_limiting_configured_becomes_a_rate_limit_item_whose_url_is_a_todo() -> None:
    found = item("Rate limiting configured")
    assert found["run"] == "rate_limit"
    assert found["with"] == {
        "url": "${env:TODO_RATE_LIMITED_URL}",
        "requests": 150,
        "within": "10s",
        "expect_status": 429,
    }


def test_environment_variables_configured_becomes_an_env_item_with_the_guides_variables() -> None:
    block = "\n## Environment Variables\n```bash\nSECRET_KEY={50-chars}\nDEBUG=False\n```\n"
    found = item("Environment variables configured", extra=block)
    assert found["run"] == "env"
    assert found["with"] == {
        "required": ["SECRET_KEY", "DEBUG"],
        "min_length": {"SECRET_KEY": 50},
        "forbid": {"DEBUG": ["1", "true", "True"]},
    }


def test_an_env_item_without_variables_in_the_guide_asks_for_them() -> None:
    found = item("All environment variables configured")
    assert found["with"] == {"required": ["TODO_REQUIRED_VARIABLE"]}


def test_alerting_systems_functional_becomes_a_notify_test_with_a_channel() -> None:
    data = imported("Alerting systems functional")
    assert (data["gate"][0]["run"], data["gate"][0]["with"]) == (
        "notify_test",
        {"channels": ["ops"]},
    )
    assert data["notify"]["channels"] == [{"name": "ops", "url": "${env:TODO_ALERT_CHANNEL_URL}"}]


def test_database_migrations_tested_becomes_a_migration_lint_item() -> None:
    found = item("Database migrations tested")
    assert (found["run"], found["with"]) == ("migration_lint", {"paths": ["migrations/"]})


def test_migrations_applied_stays_a_sign_off_because_a_lint_cannot_prove_it() -> None:
    assert item("All migrations applied")["manual"] is True


def test_backup_procedures_verified_becomes_a_backup_drill_and_a_backup() -> None:
    data = imported("Backup procedures verified", extra="\nPostgreSQL, backed up every 6 hours.\n")
    assert {k: data["gate"][0][k] for k in ("backup", "fresh")} == {
        "backup": "main-db",
        "fresh": "7d",
    }
    (backup,) = data["backups"]
    assert backup["postgres"] == {"dsn": "${env:TODO_DATABASE_URL}"}
    assert backup["every"] == "6h"


def test_performance_testing_completed_becomes_a_loadtest_with_the_guides_sla() -> None:
    table = "\n| Endpoint | p95 |\n|---|---|\n| List endpoints | 200ms |\n"
    data = imported("Performance testing completed", extra=table)
    assert {k: data["gate"][0][k] for k in ("loadtest", "fresh")} == {
        "loadtest": "peak",
        "fresh": "7d",
    }
    (loadtest,) = data["loadtests"]
    assert loadtest["sla"] == {"list": {"p95": "200ms"}}
    assert loadtest["requests"][0]["path"] == "${env:TODO_LIST_PATH}"


def test_a_loadtest_without_an_sla_in_the_guide_asks_for_a_target() -> None:
    loadtest = imported("Load testing completed")["loadtests"][0]
    assert loadtest["sla"] == {"default": {"p95": "${env:TODO_P95_TARGET}"}}


def test_health_checks_passing_becomes_checks_of_the_guides_health_endpoints() -> None:
    data = imported("Application health checks passing", extra="\ncurl https://x.org/api/health\n")
    assert data["gate"][0]["checks"] == ["api-health"]
    assert data["checks"] == [
        {
            "name": "api-health",
            "http": {"url": "${base_url}/api/health"},
            "expect": ["status == 200"],
        }
    ]


def test_health_checks_without_an_endpoint_in_the_guide_ask_for_its_url() -> None:
    data = imported("Health checks configured")
    assert data["checks"] == [{"name": "app-health", "http": {"url": "${env:TODO_HEALTH_URL}"}}]


def test_database_and_cache_services_running_becomes_postgres_and_redis_checks() -> None:
    data = imported("Database and cache services running")
    assert data["gate"][0]["checks"] == ["postgres", "redis"]
    assert [c["name"] for c in data["checks"]] == ["postgres", "redis"]


def test_domain_configuration_completed_becomes_a_dns_check() -> None:
    data = imported("Domain configuration completed")
    assert data["gate"][0]["checks"] == ["dns"]
    assert data["checks"][0]["dns"] == {"name": "${host}", "type": "A"}


def test_any_other_line_becomes_a_manual_sign_off_with_an_owner_to_name() -> None:
    assert item("Legal compliance verified", heading="Business Readiness") == {
        "name": "Legal compliance verified",
        "category": "business",
        "manual": True,
        "owner": "TODO",
        "valid_for": "90d",
    }


def test_the_nearest_heading_with_a_category_word_decides_the_category() -> None:
    guide = "## Operational Readiness\n\n### Phase 1\n\n- [ ] Payment processing tested\n"
    data = yaml.safe_load(import_text(guide, "g.md").yaml)
    assert data["gate"][0]["category"] == "operational"


def test_the_leftmost_category_word_of_a_heading_wins() -> None:
    assert (
        item("Color contrast verified", heading="Accessibility Compliance")["category"]
        == "technical"
    )
    assert item("Restore drill done", heading="Backup & Security")["category"] == "operational"


def test_without_a_category_heading_the_lines_own_words_decide() -> None:
    assert item("Team training completed", heading="Success Criteria")["category"] == "operational"
    assert item("Homepage loads", heading="Success Criteria")["category"] == "technical"


def test_a_recurring_chore_is_not_required_and_expires_with_its_period() -> None:
    found = item("Weekly: Review slow query logs", heading="Regular Tasks")
    assert {k: found[k] for k in ("required", "valid_for")} == {
        "required": False,
        "valid_for": "7d",
    }


def test_a_recurring_backup_check_must_be_as_fresh_as_its_period() -> None:
    found = item("Verify backup completion", heading="Daily Operations")
    assert {k: found[k] for k in ("required", "backup", "fresh")} == {
        "required": False,
        "backup": "files",
        "fresh": "1d",
    }


def test_a_rollback_step_is_not_a_go_live_condition() -> None:
    assert item("Cache cleared", heading="Full Rollback Checklist")["required"] is False


def test_two_spellings_of_one_health_path_make_one_check() -> None:
    data = imported("Health checks passing", extra="\nGET /health and /health/ both answer.\n")
    assert data["gate"][0]["checks"] == ["health"]
    assert [c["name"] for c in data["checks"]] == ["health"]


def test_a_guides_concurrent_users_become_the_load_tests_users() -> None:
    extra = "\n## Scalability Targets\n- **Concurrent Users**: 1,000+ active users\n"
    loadtest = imported("Load testing completed", extra=extra)["loadtests"][0]
    assert loadtest["users"] == 1000
