"""Sending to real receivers: permanence comes from the HTTP status or the SMTP reply code."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import pytest

from devkit.receivers import SmtpReceiver, WebhookReceiver
from golive.config.secrets import Secrets
from golive.notify import ChannelTransport, DeliveryError, Outgoing, check_channels
from golive.notify.channels import channel_redactor
from tests.devkit.notify import make_config

MESSAGE = Outgoing("[FIRING] api-health", "FIRING: api-health\nwhat failed", "failure", "k-1")


async def failure(url: str) -> DeliveryError:
    with pytest.raises(DeliveryError) as raised:
        await ChannelTransport().send(url, MESSAGE, seconds=3)
    return raised.value


@pytest.mark.parametrize(
    ("status", "permanent"),
    [
        *[(400, True), (401, True), (403, True), (404, True), (410, True), (422, True)],
        *[(408, False), (429, False), (500, False), (502, False), (503, False)],
    ],
)
async def test_a_webhook_refusal_is_final_unless_5xx_408_or_429(
    webhook: WebhookReceiver, status: int, permanent: bool
) -> None:
    webhook.answer(status)

    error = await failure(webhook.url())

    assert error.permanent is permanent
    assert error.reason.startswith(f"HTTP {status} ")
    assert len(webhook.requests) == 1


async def test_a_webhook_that_answers_2xx_has_the_message_and_the_dedup_key(
    webhook: WebhookReceiver,
) -> None:
    webhook.answer(202)

    await ChannelTransport().send(webhook.url("/h?x=1"), MESSAGE, seconds=3)

    [request] = webhook.requests
    assert request.headers["X-Golive-Dedup-Key"] == "k-1"
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == {
        "version": "1.0",
        "title": "[FIRING] api-health",
        "message": "FIRING: api-health\nwhat failed",
        "attachments": [],
        "type": "failure",
    }


async def test_webhook_urls_keep_apprises_headers_fields_method_and_login(
    webhook: WebhookReceiver,
) -> None:
    url = webhook.url("/put?method=PUT&+X-Team=ops&:title=heading&:version=&:env=prod")
    url = url.replace("json://", "json://bot:pa55@")

    await ChannelTransport().send(url, MESSAGE, seconds=3)

    [request] = webhook.requests
    assert request.headers["X-Team"] == "ops"
    assert request.headers["Authorization"].startswith("Basic ")
    assert request.body["heading"] == "[FIRING] api-health"
    assert "title" not in request.body and "version" not in request.body
    assert request.body["env"] == "prod"


async def test_form_and_xml_webhooks_get_apprises_bodies(webhook: WebhookReceiver) -> None:
    await ChannelTransport().send(webhook.url("/f", scheme="form"), MESSAGE, seconds=3)
    await ChannelTransport().send(webhook.url("/x", scheme="xml"), MESSAGE, seconds=3)

    form, xml = webhook.requests
    assert form.headers["X-Golive-Dedup-Key"] == xml.headers["X-Golive-Dedup-Key"] == "k-1"
    assert 'name="title"' in form.body or "title=%5BFIRING%5D" in form.body
    notification = ET.fromstring(xml.body).find(".//Notification")
    assert notification is not None
    assert notification.findtext("Subject") == "[FIRING] api-health"
    assert notification.findtext("MessageType") == "failure"


@pytest.mark.parametrize(
    ("command", "reply", "permanent"),
    [
        ("RCPT", "550 5.1.1 no such user", True),
        ("RCPT", "450 4.2.1 mailbox busy, try later", False),
        ("DATA", "554 5.7.1 message refused", True),
        ("DATA", "451 4.3.0 local error, try later", False),
    ],
)
async def test_an_smtp_refusal_is_final_for_5xx_and_retried_for_4xx(
    smtp: SmtpReceiver, command: str, reply: str, permanent: bool
) -> None:
    smtp.reply(command, reply)

    error = await failure(smtp.url())

    assert error.permanent is permanent
    assert error.reason.startswith(f"SMTP {reply[:3]} refused")
    assert reply[4:] in error.reason
    assert smtp.messages == []


async def test_a_refused_smtp_login_is_final_and_the_password_stays_out(
    smtp: SmtpReceiver,
) -> None:
    error = await failure(smtp.url(password="not-the-password"))

    assert error.permanent
    assert error.reason.startswith("SMTP 535 authentication refused")
    assert "not-the-password" not in error.reason


async def test_a_mail_server_without_the_starttls_the_url_asks_for_is_final(
    smtp: SmtpReceiver,
) -> None:
    error = await failure(smtp.url() + "&mode=starttls")

    assert error.permanent
    assert error.reason.startswith("the mail server does not offer what the URL asks for")
    assert "STARTTLS" in error.reason


async def test_a_mail_arrives_with_the_title_as_subject_and_the_dedup_key(
    smtp: SmtpReceiver,
) -> None:
    await ChannelTransport().send(smtp.url("a@example.com,b@example.com"), MESSAGE, seconds=3)

    [mail] = smtp.messages
    assert mail["Subject"] == "[FIRING] api-health"
    assert mail["X-Golive-Dedup-Key"] == "k-1"
    assert mail["To"] == "a@example.com, b@example.com"
    assert SmtpReceiver.text(mail).splitlines() == MESSAGE.body.splitlines()


async def test_a_mail_server_that_is_down_is_retried(smtp: SmtpReceiver) -> None:
    smtp.stop()

    error = await failure(smtp.url())

    assert not error.permanent
    assert "Connection refused" in error.reason


async def test_other_channels_go_through_apprise_and_a_no_is_retried(
    webhook: WebhookReceiver,
) -> None:
    webhook.answer(400)  # Apprise's answer is only yes or no: nothing says this is final
    url = f"apprise://127.0.0.1:{webhook.port}/golive-token"

    error = await failure(url)
    await ChannelTransport().send(url, MESSAGE, seconds=3)

    assert not error.permanent
    assert [r.path for r in webhook.requests] == ["/notify"] * 2


async def test_a_url_apprise_cannot_use_is_final() -> None:
    error = await failure("jsno://h/p")

    assert error.permanent
    assert error.reason == "Apprise cannot use this URL: unsupported scheme jsno://"


async def test_sending_leaves_the_apprise_logger_as_it_was(webhook: WebhookReceiver) -> None:
    logger = logging.getLogger("apprise")
    before = (logger.level, logger.propagate, list(logger.handlers), list(logger.filters))

    await ChannelTransport().send(f"apprise://127.0.0.1:{webhook.port}/t", MESSAGE, seconds=3)
    check_channels(make_config({"typo": "jsno://h/p"}, []), Secrets())

    assert (logger.level, logger.propagate, logger.handlers, logger.filters) == before


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
        "channel empty-slack: Apprise cannot use this URL: "
        "An invalid Slack (second) Token (None) was specified.",
    ]
    assert "secret-pw" not in " ".join(problems)


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
