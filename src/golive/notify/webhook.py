"""Webhook channels (``json://``, ``form://``, ``xml://`` and their ``s`` forms), sent by golive
over aiohttp so that the answer's status code decides what a failure means.

Apprise parses the URL (``+Header=value``, ``-param=value``, ``:field=value``, ``method=``,
``user:password@``) and the body is the one Apprise documents for the scheme, so receivers
written for Apprise keep working; each request also carries the ``X-Golive-Dedup-Key`` header.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from xml.sax.saxutils import escape

import aiohttp

from golive.notify.transport import (
    DEDUP_HEADER,
    DeliveryError,
    Outgoing,
    clip,
    http_failure,
    no_answer,
)

ANSWER_SHOWN = 200  # characters of a refusing answer's body kept in the reason


class WebhookSender:
    """Posts the message as JSON, a form or XML, as the URL's scheme says."""

    async def send(self, plugin: Any, message: Outgoing, *, seconds: float) -> None:
        kind = str(plugin.schema).rstrip("s")
        params: dict[str, str] = dict(plugin.params)
        headers = {"User-Agent": plugin.app_id, DEDUP_HEADER: message.dedup_key}
        data: str | dict[str, str]
        if kind == "json":
            headers["Content-Type"] = "application/json"
            data = json.dumps(json_body(plugin.payload_extras, message))
        elif kind == "xml":
            headers["Content-Type"] = "application/xml"
            data = xml_body(plugin, message)
        else:
            data = form_body(plugin, message)
            if plugin.method == "GET":  # a GET carries the form in its query string
                params, data = {**data, **params}, {}
        headers.update(plugin.headers)
        port = f":{plugin.port}" if isinstance(plugin.port, int) else ""
        url = f"{'https' if plugin.secure else 'http'}://{plugin.host}{port}{plugin.fullpath}"
        if plugin.user:
            login = f"{plugin.user}:{plugin.password or ''}".encode()
            headers["Authorization"] = f"Basic {base64.b64encode(login).decode()}"
        try:
            async with (
                aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=seconds)) as session,
                session.request(
                    plugin.method,
                    url,
                    params=params,
                    data=data or None,
                    headers=headers,
                    ssl=bool(plugin.verify_certificate),
                    allow_redirects=plugin.redirects,
                ) as answer,
            ):
                if 200 <= answer.status < 300:
                    return
                text = (await answer.text(errors="replace"))[:ANSWER_SHOWN]
                said = f"{answer.reason or ''}: {text}" if text.strip() else answer.reason or ""
                raise http_failure(answer.status, said)
        except TimeoutError:
            raise no_answer(seconds) from None
        except aiohttp.ClientError as exc:
            reason = f"Connection error: {type(exc).__name__}: {exc}"
            raise DeliveryError(clip(reason), permanent=False) from None


def json_body(extras: dict[str, str], message: Outgoing) -> dict[str, Any]:
    """Apprise's JSON: version, title, message, attachments, type; ``:field=other`` renames a
    field, ``:field=`` drops it, ``:new=value`` adds one."""
    body: dict[str, Any] = {
        "version": "1.0",
        "title": message.title,
        "message": message.body,
        "attachments": [],
        "type": message.notify_type,
    }
    for key, value in extras.items():
        if key not in body:
            body[key] = value
        elif value:
            body[value] = body.pop(key)
        else:
            del body[key]
    return body


def form_body(plugin: Any, message: Outgoing) -> dict[str, str]:
    """Apprise's form fields version, title, message and type, under the names the URL maps
    them to (an empty name leaves the field out), plus the URL's extra fields."""
    fields = {"version": "1.0", "title": message.title, "message": message.body}
    fields["type"] = message.notify_type
    body = {plugin.payload_map[k]: v for k, v in fields.items() if plugin.payload_map.get(k)}
    return body | dict(plugin.payload_extras)


def xml_body(plugin: Any, message: Outgoing) -> str:
    """Apprise's SOAP envelope around a ``Notification`` of Version, Subject, Message and
    MessageType (renamed or left out as the URL maps them), plus the URL's extra elements."""
    fields = {"Version": str(plugin.xsd_ver), "Subject": message.title, "Message": message.body}
    fields["MessageType"] = message.notify_type
    named = {plugin.payload_map[k]: v for k, v in fields.items() if plugin.payload_map.get(k)}
    named |= dict(plugin.payload_extras)
    core = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in named.items())
    xsd = f' xmlns:xsi="{plugin.xsd_url}"' if plugin.xsd_url else ""
    template: str = plugin.payload
    return (
        template.replace("{{XSD_URL}}", xsd)
        .replace("{{CORE}}", core)
        .replace("{{ATTACHMENTS}}", "")
    )
