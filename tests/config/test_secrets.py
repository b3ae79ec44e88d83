"""A secret is masked in every form a target may echo it in, in any mix of forms."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

import pytest

from golive.config.secrets import Secrets

SECRET = 'sk_live 123&x/"q'


@pytest.mark.parametrize(
    "form",
    [
        SECRET,
        quote(SECRET, safe=""),
        quote(SECRET),
        quote_plus(SECRET),
        quote(SECRET, safe="").lower(),  # lower-case hex
        "sk_live+123&x/%22q",  # as yarl writes a query
        "sk_live%20123&x%2F%22q",  # as yarl normalises a path
        json.dumps(SECRET)[1:-1],
        json.dumps(SECRET)[1:-1].replace("/", "\\/"),
        "sk_live 123&amp;x/&quot;q",  # HTML-escaped
    ],
)
def test_every_encoding_of_a_secret_is_masked(form: str) -> None:
    secrets = Secrets()
    secrets.add(SECRET)
    assert secrets.redact(f"before {form} after") == "before *** after"


def test_non_ascii_secrets_are_masked_percent_encoded_and_json_escaped() -> None:
    secrets = Secrets()
    secrets.add("café-über-😀")
    text = f"{quote('café-über-😀')} {json.dumps('café-über-😀')}"
    assert secrets.redact(text) == '*** "***"'


def test_a_urls_credentials_are_masked_as_basic_auth() -> None:
    secrets = Secrets()
    secrets.add(f"https://probe:{quote('pa ss/w', safe='')}@db.example:5432/app")
    basic = base64.b64encode(b"probe:pa ss/w").decode()
    assert secrets.redact(f"Authorization: Basic {basic}") == "Authorization: Basic ***"
    assert secrets.redact("pa ss/w and pa%20ss%2Fw") == "*** and ***"


def test_text_without_a_secret_is_unchanged() -> None:
    secrets = Secrets()
    secrets.add(SECRET)
    assert secrets.redact("sk_live is a prefix, not the secret") == (
        "sk_live is a prefix, not the secret"
    )
