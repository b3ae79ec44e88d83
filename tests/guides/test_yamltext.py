"""The YAML writer: plain strings where YAML reads them back unchanged, quotes otherwise,
comments kept, and text that always loads to the data it was given."""

from __future__ import annotations

import pytest
import yaml

from golive.guides.yamltext import Note, dump, scalar


@pytest.mark.parametrize(
    "value",
    ["24/7 support", "Daily: check logs", "1", "true", "True", "a # b", "${base_url}/", "", "- x"],
)
def test_every_string_reads_back_as_itself(value: str) -> None:
    assert yaml.safe_load(f"k: {scalar(value)}") == {"k": value}
    assert yaml.safe_load(f"{{k: {scalar(value, flow=True)}}}") == {"k": value}


def test_a_plain_sentence_stays_unquoted_and_a_key_like_one_is_quoted() -> None:
    assert scalar("SSL certificates installed") == "SSL certificates installed"
    assert scalar("Weekly: review logs") == '"Weekly: review logs"'


def test_comments_go_above_items_and_after_values() -> None:
    text = dump(
        {"gate": [Note({"name": "A", "manual": True}, above=("from line 3",))]},
        header=("imported",),
    )
    assert text == "# imported\n\ngate:\n  # from line 3\n  - name: A\n    manual: true\n"


def test_short_mappings_go_on_one_line_and_records_stay_blocks() -> None:
    document = {
        "checks": [{"name": "web", "http": {"url": "${base_url}/health"}}],
        "vars": {"base_url": Note("http://127.0.0.1", "local")},
    }
    text = dump(document)
    assert '    http: {url: "${base_url}/health"}' in text
    assert "  base_url: http://127.0.0.1" in text and text.rstrip().endswith("# local")
    assert yaml.safe_load(text) == {
        "checks": [{"name": "web", "http": {"url": "${base_url}/health"}}],
        "vars": {"base_url": "http://127.0.0.1"},
    }


def test_long_lists_are_written_one_item_a_line() -> None:
    names = [f"VARIABLE_NUMBER_{i}" for i in range(8)]
    text = dump({"with": {"required": names}})
    assert "    - VARIABLE_NUMBER_7\n" in text
    assert yaml.safe_load(text) == {"with": {"required": names}}
