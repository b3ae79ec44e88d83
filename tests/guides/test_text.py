"""Text helpers: Markdown to plain words, short headings, names, durations and cadences."""

from __future__ import annotations

import pytest

from golive.guides.text import cadence, duration, plain, short_heading, slug


def test_plain_keeps_the_words_and_drops_the_markup() -> None:
    assert plain("**Backups** `verified` via [runbook](x.md) ✅") == "Backups verified via runbook"


def test_plain_keeps_escaped_characters_and_ascii_symbols() -> None:
    assert plain(r"1\. Check \*all\* x^2 targets") == "1. Check *all* x^2 targets"


def test_a_short_heading_drops_numbering_parentheses_and_status() -> None:
    assert short_heading("Phase 1: Pre-Deployment Validation ✅") == "Pre-Deployment Validation"
    assert short_heading("Step 3: Staging Verification (30 minutes)") == "Staging Verification"
    assert short_heading("Stage 2: CI/CD Pipeline 📋 PLANNED") == "CI/CD Pipeline"


def test_a_slug_is_a_golive_name() -> None:
    assert slug("/api/health") == "api-health"
    assert slug("/", "health") == "health"


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.2, "200ms"), (2, "2s"), (900, "15m"), (14400, "4h"), (86400, "1d")]
)
def test_durations_are_written_in_the_largest_whole_unit(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_cadences_name_a_period() -> None:
    assert cadence("Weekly: review logs") == "7d"
    assert cadence("Quarterly audit") == "90d"
    assert cadence("Annually") == "365d"
    assert cadence("Before launch") is None
