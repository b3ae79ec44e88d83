"""Fingerprints: an alert's identity, stable across restarts and config reorderings."""

from __future__ import annotations

from pathlib import Path

from golive.alerts import alert_specs, fingerprint
from tests.devkit.alerts import load

CHECKS = [
    "  - {name: api, http: {url: 'http://h/'}, labels: {team: web, tier: '1'}}\n",
    "  - {name: db, tcp: {host: h, port: 5432}}\n",
]
RULES = [
    "  - {name: slow, check: api, when: latency_ms > 500}\n",
    "  - {name: db-slow, check: db, when: latency_ms > 100}\n",
]


def specs(tmp_path: Path, checks: list[str], rules: list[str], name: str) -> dict[str, str]:
    config = load(tmp_path, "checks:\n" + "".join(checks) + "alerts:\n" + "".join(rules), name)
    return {spec.name: spec.fingerprint for spec in alert_specs(config)}


def test_fingerprints_survive_reordering_the_config(tmp_path: Path) -> None:
    first = specs(tmp_path, CHECKS, RULES, "a.yaml")
    second = specs(tmp_path, CHECKS[::-1], RULES[::-1], "b.yaml")
    assert first == second
    assert len(set(first.values())) == 4


def test_a_fingerprint_is_32_hex_characters_and_ignores_label_order() -> None:
    one = fingerprint("check", "api", {"team": "web", "tier": "1"})
    assert one == fingerprint("check", "api", {"tier": "1", "team": "web"})
    assert len(one) == 32 and int(one, 16) >= 0


def test_a_fingerprint_never_changes_between_versions() -> None:
    # Stored alerts are found again by this value after an upgrade: never change the recipe.
    assert fingerprint("check", "api", {"team": "web", "tier": "1"}) == (
        "f7c0c7e05616d1d207fb681efe6d6dee"
    )
    assert fingerprint("rule", "slow-api", {}) == "b930455dc97b4c491178fb9eaf512b17"


def test_kind_name_and_labels_each_make_a_different_alert() -> None:
    base = fingerprint("check", "api", {"team": "web"})
    assert base != fingerprint("rule", "api", {"team": "web"})
    assert base != fingerprint("check", "api2", {"team": "web"})
    assert base != fingerprint("check", "api", {"team": "db"})
