"""Apprise's failures, translated: permanent or worth retrying, and why."""

from __future__ import annotations

import pytest

from golive.config.secrets import Secrets
from golive.notify import check_channels
from golive.notify.channels import channel_redactor
from golive.notify.transport import AppriseTransport, classify, with_dedup_header
from tests.notify.helpers import make_config

FAILED_JSON = "Failed to send JSON POST notification: {}error={}."


@pytest.mark.parametrize(
    ("status", "permanent"),
    [
        (400, True),
        (401, True),
        (403, True),
        (404, True),
        (408, False),
        (429, False),
        (500, False),
        (502, False),
        (503, False),
    ],
)
def test_http_client_errors_are_permanent_except_timeout_and_throttling(
    status: int, permanent: bool
) -> None:
    error = classify([("WARNING", FAILED_JSON.format("", status))])
    assert error.permanent is permanent
    assert error.reason == f"HTTP {status}: {FAILED_JSON.format('', status)}"


@pytest.mark.parametrize(
    ("detail", "permanent", "start"),
    [
        (
            "Socket Exception: (535, b'5.7.8 Authentication credentials invalid')",
            True,
            "SMTP 535 authentication refused",
        ),
        ("Socket Exception: (421, b'4.3.2 Service not available')", False, "SMTP 421 refused"),
        (
            "Socket Exception: {'x@example.com': (550, b'5.1.1 no such user')}",
            True,
            "SMTP 550 refused",
        ),
        (
            "Socket Exception: SMTP AUTH extension not supported by server.",
            True,
            "the mail server does not offer AUTH",
        ),
        (
            "Socket Exception: STARTTLS extension not supported by server.",
            True,
            "the mail server does not offer STARTTLS",
        ),
        (
            "Socket Exception: [Errno 111] Connection refused",
            False,
            "Connection error while submitting",
        ),
    ],
)
def test_smtp_failures_are_read_from_the_reply_code(
    detail: str, permanent: bool, start: str
) -> None:
    entries = [
        ("WARNING", 'Connection error while submitting email to "127.0.0.1"'),
        ("DEBUG", "Connecting to remote SMTP server..."),
        ("DEBUG", detail),
    ]
    error = classify(entries)
    assert error.permanent is permanent
    assert error.reason.startswith(start)


def test_timeouts_and_unknown_failures_are_retried() -> None:
    hung = classify(
        [("ERROR", "Service 'JSON' did not finish within 2.100s.")], timed_out=True, timeout=2
    )
    silent = classify([])
    assert not hung.permanent
    assert hung.reason == "no answer within 2s: Service 'JSON' did not finish within 2.100s."
    assert not silent.permanent
    assert silent.reason == "the channel did not accept the message (no reason given)"


def test_the_dedup_key_goes_into_a_header_of_webhook_urls_only() -> None:
    assert with_dedup_header("json://h:1/p", "k1") == "json://h:1/p?+X-Golive-Dedup-Key=k1"
    assert with_dedup_header("jsons://h/p?+Auth=x", "k1") == (
        "jsons://h/p?+Auth=x&+X-Golive-Dedup-Key=k1"
    )
    assert with_dedup_header("form://h/p", "k").endswith("?+X-Golive-Dedup-Key=k")
    assert with_dedup_header("xmls://h/p", "k").endswith("?+X-Golive-Dedup-Key=k")
    assert with_dedup_header("mailto://u:p@h?to=a@b.c", "k") == "mailto://u:p@h?to=a@b.c"
    assert with_dedup_header("slack://T/B/C", "k") == "slack://T/B/C"


def test_check_channels_names_each_channel_apprise_cannot_use() -> None:
    config = make_config(
        {
            "ok-hook": "json://127.0.0.1:9/hook",
            "ok-mail": "mailto://u:pw-1234@127.0.0.1:25?to=a@example.com&from=g@example.com",
            "no-from": "mailto://golive:secret-pw@127.0.0.1:2525?to=ops@example.com",
            "typo": "jsno://127.0.0.1/hook",
            "empty-slack": "slack://x",
        },
        [],
    )

    problems = check_channels(config, Secrets())

    assert problems == [
        "channel no-from: Apprise cannot use this URL: Invalid ~From~ email specified: "
        "Apprise <golive@127.0.0.1>",
        "channel typo: Apprise cannot use this URL: unsupported scheme jsno://",
    ] + [problem for problem in problems if problem.startswith("channel empty-slack")]
    assert problems[-1].startswith("channel empty-slack: Apprise cannot use this URL: An invalid")
    assert "secret-pw" not in " ".join(problems)


def test_apprise_transport_reports_unusable_urls_as_permanent() -> None:
    from golive.notify import DeliveryError, Outgoing

    with pytest.raises(DeliveryError) as raised:
        AppriseTransport().send("jsno://h/p", Outgoing("t", "b", "info", "k"), timeout=1)
    assert raised.value.permanent
    assert raised.value.reason == "Apprise cannot use this URL: unsupported scheme jsno://"


def test_channel_urls_and_their_tokens_are_redacted_wherever_they_appear() -> None:
    slack = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
    telegram = "tgram://123456789:AAHsecretBotToken/-1001234"
    hook = "jsons://user:hook-pass@hooks.example.com/services/0123456789abcdef?token=q1w2e3r4t5y6u7"
    config = make_config({"a": slack, "b": telegram, "c": hook}, [])
    redact = channel_redactor(config, Secrets())

    said = redact(
        f"An invalid Slack (first) Token (T1JJ3T3L2) was specified; {slack}; "
        "bot AAHsecretBotToken refused; POST https://hooks.example.com/services/0123456789abcdef"
        "?token=q1w2e3r4t5y6u7 as user:hook-pass; see https://hooks.example.com/status"
    )

    for secret in (
        "T1JJ3T3L2",
        "TIiajkdnlazkcOXrIdevi7FQ",
        "AAHsecretBotToken",
        "hook-pass",
        "0123456789abcdef",
        "q1w2e3r4t5y6u7",
    ):
        assert secret not in said
    assert "https://hooks.example.com/status" in said  # a host name is not a token
