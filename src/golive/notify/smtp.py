"""Mail channels (``mailto://``, ``mailtos://``), sent by golive with ``smtplib`` in a worker
thread so that the server's reply code decides what a failure means.

Apprise parses the URL (server, port, SSL or STARTTLS, login, from, to, cc, bcc, headers); the
message is plain text with the title as its subject and the dedup key as an
``X-Golive-Dedup-Key`` header.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from typing import Any

from golive.notify.transport import (
    DEDUP_HEADER,
    DeliveryError,
    Outgoing,
    clip,
    no_answer,
    smtp_failure,
)


class SmtpSender:
    """One SMTP session per message: connect, secure, log in, send, quit."""

    async def send(self, plugin: Any, message: Outgoing, *, seconds: float) -> None:
        await asyncio.to_thread(submit, plugin, message, seconds)


def submit(plugin: Any, message: Outgoing, timeout: float) -> None:
    """Send ``message`` as the parsed mail URL ``plugin`` says; raise ``DeliveryError``."""
    mail, recipients = compose(plugin, message)
    if not recipients:
        raise DeliveryError("the mail URL names no recipient", permanent=True)
    context = ssl.create_default_context()
    if not plugin.verify_certificate:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        session: smtplib.SMTP
        if plugin.secure_mode == "ssl":
            session = smtplib.SMTP_SSL(
                plugin.smtp_host, plugin.port or 0, timeout=timeout, context=context
            )
        else:
            session = smtplib.SMTP(plugin.smtp_host, plugin.port or 0, timeout=timeout)
        with session:
            if plugin.secure_mode == "starttls":
                session.starttls(context=context)
            if plugin.user and plugin.password:
                session.login(plugin.user, plugin.password)
            refused = session.send_message(mail, plugin.from_addr[1], recipients)
    except smtplib.SMTPRecipientsRefused as exc:  # every recipient refused
        raise _refused(exc.recipients) from None
    except smtplib.SMTPResponseException as exc:  # a reply code: login, sender, data, greeting
        said = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else ""
        raise smtp_failure(exc.smtp_code, said or str(exc.smtp_error)) from None
    except smtplib.SMTPNotSupportedError as exc:  # the URL asks for AUTH or STARTTLS it lacks
        reason = f"the mail server does not offer what the URL asks for: {exc}"
        raise DeliveryError(clip(reason), permanent=True) from None
    except TimeoutError:
        raise no_answer(timeout, f"mail server {plugin.smtp_host}") from None
    except (smtplib.SMTPException, OSError) as exc:  # refused, reset, closed: try again later
        reason = f"Connection error with mail server {plugin.smtp_host}: {exc}"
        raise DeliveryError(clip(reason), permanent=False) from None
    if refused:  # some recipients took it; a retry resends to all (at least once)
        raise _refused(refused)


def compose(plugin: Any, message: Outgoing) -> tuple[EmailMessage, list[str]]:
    """The mail and its envelope recipients (to, cc and bcc)."""
    names: dict[str, Any] = plugin.names
    from_name, from_address = plugin.from_addr
    to = [address for _, address in plugin.targets]
    mail = EmailMessage()
    mail["Subject"] = message.title
    mail["From"] = formataddr((from_name or "golive", from_address))
    mail["To"] = ", ".join(formataddr((names.get(a) or "", a)) for a in to)
    if plugin.cc:
        mail["Cc"] = ", ".join(formataddr((names.get(a) or "", a)) for a in sorted(plugin.cc))
    if plugin.reply_to:
        mail["Reply-To"] = ", ".join(sorted(plugin.reply_to))
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=from_address.rpartition("@")[2] or None)
    mail[DEDUP_HEADER] = message.dedup_key
    for name, value in plugin.headers.items():
        mail[name] = value
    mail.set_content(message.body)
    return mail, [*to, *sorted(plugin.cc), *sorted(plugin.bcc)]


def _refused(recipients: dict[str, tuple[int, bytes]]) -> DeliveryError:
    """Refused recipients: permanent only when every refusal is (a 4xx may pass later)."""
    code = min(code for code, _ in recipients.values())  # a 4xx before a 5xx: retry
    said = "; ".join(f"{a}: {c} {r.decode(errors='replace')}" for a, (c, r) in recipients.items())
    return smtp_failure(code, said)
