"""Ways an alert leaves Hromada: one interface, an e-mail and a Telegram implementation.

A channel sends one message to one address and says how it went: it returns the provider's
message id, or raises ``DeliveryError`` telling whether trying again later could help and
whether the address is gone for good (a bot blocked by the user).
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage

from hromada.alerts import conf
from hromada.alerts.models import Channel as ChannelName

TELEGRAM_TEXT_MAX = 4096  # sendMessage refuses longer texts


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    unsubscribe_url: str = ""


class DeliveryError(Exception):
    def __init__(self, reason: str, *, temporary: bool, gone: bool = False) -> None:
        super().__init__(reason)
        self.temporary = temporary
        self.gone = gone


class Channel(Protocol):
    def send(self, address: str, message: Message) -> str:
        """Send ``message`` to ``address``; return the provider's id for it (may be "")."""


class EmailChannel:
    """E-mail through Django's mail API (SMTP in production, locmem in tests)."""

    def send(self, address: str, message: Message) -> str:
        headers = {"Auto-Submitted": "auto-generated"}
        if message.unsubscribe_url:
            headers["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email = EmailMessage(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            headers=headers,
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(str(error), temporary=False, gone=True) from error
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryError(str(error), temporary=True) from error
        return ""


class TelegramChannel:
    """The Telegram Bot API's sendMessage, over HTTPS, to a chat id or a @channel."""

    def __init__(self, *, token: str, base_url: str, timeout: float) -> None:
        self.token = token
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def send(self, address: str, message: Message) -> str:
        if not self.token:
            raise DeliveryError("TELEGRAM_BOT_TOKEN is not set", temporary=False)
        payload = {
            "chat_id": address,
            "text": message.text[:TELEGRAM_TEXT_MAX],
            "disable_web_page_preview": True,
        }
        request = urllib.request.Request(  # noqa: S310 -- our configured Bot API URL, https in production
            f"{self.base_url}/bot{self.token}/sendMessage",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # nosec B310
                body = json.loads(response.read(65536) or b"{}")
        except urllib.error.HTTPError as error:
            body = _json_or_empty(error.read(65536))
            description = str(body.get("description") or error.reason)
            if error.code == 429 or error.code >= 500:
                raise DeliveryError(description, temporary=True) from error
            # 403: the user blocked the bot or left; 400: no such chat. Asking again won't help.
            raise DeliveryError(description, temporary=False, gone=error.code == 403) from error
        except (OSError, ValueError) as error:
            raise DeliveryError(f"Bot API unreachable: {error}", temporary=True) from error
        if not body.get("ok"):
            raise DeliveryError(str(body.get("description", "not ok")), temporary=True)
        return str(body.get("result", {}).get("message_id", ""))


def _json_or_empty(raw: bytes) -> dict:
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def channel_for(name: str) -> Channel:
    if name == ChannelName.EMAIL:
        return EmailChannel()
    if name == ChannelName.TELEGRAM:
        return TelegramChannel(
            token=str(conf.get("TELEGRAM_BOT_TOKEN")),
            base_url=str(conf.get("TELEGRAM_API_URL")),
            timeout=float(conf.get("ALERTS_HTTP_TIMEOUT")),
        )
    raise ValueError(f"unknown channel {name!r}")
