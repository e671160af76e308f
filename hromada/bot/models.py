"""The bot's own rows: who a Telegram account is, codes that link one, updates already
handled, and where each chat is in a conversation.

Nothing about a conversation lives in a process's memory: the webhook may be served by
several web processes, and the next message of a chat may reach any of them.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LINK_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed from a screen
LINK_CODE_LENGTH = 8


class TelegramAccount(models.Model):
    """A Telegram user linked to a Hromada user: the bot acts with that user's roles."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="telegram_account",
        verbose_name=_("user"),
    )
    telegram_id = models.BigIntegerField(_("Telegram user id"), unique=True)
    chat_id = models.BigIntegerField(_("chat id"))
    username = models.CharField(_("Telegram username"), max_length=64, blank=True)
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("Telegram account")
        verbose_name_plural = _("Telegram accounts")

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.telegram_id}"


class LinkCode(models.Model):
    """A one-time code shown on the signed-in link page and sent to the bot. Only its digest is
    kept: a leaked database does not let anyone link their Telegram to somebody else."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("link code")
        verbose_name_plural = _("link codes")

    def __str__(self) -> str:
        return f"{self.user} ({self.expires_at:%Y-%m-%d %H:%M})"

    @staticmethod
    def new_secret() -> str:
        return "".join(secrets.choice(LINK_CODE_ALPHABET) for _ in range(LINK_CODE_LENGTH))

    @staticmethod
    def digest_of(raw: str) -> str:
        normalised = "".join(raw.split()).upper().replace("-", "")
        return hashlib.sha256(normalised.encode()).hexdigest()


class ProcessedUpdate(models.Model):
    """An update id the bot has handled. Written in the same transaction as the work the update
    did, so a retried or duplicated update finds it and does nothing twice."""

    update_id = models.BigIntegerField(unique=True)
    processed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("processed update")
        verbose_name_plural = _("processed updates")

    def __str__(self) -> str:
        return str(self.update_id)


class ChatState(models.Model):
    """Where a chat is in a conversation (``flow`` and ``step``) and what it has typed so far:
    kept until the user confirms or cancels, so a failure never loses their input."""

    chat_id = models.BigIntegerField(unique=True)
    flow = models.CharField(max_length=32, blank=True)
    step = models.CharField(max_length=32, blank=True)
    data = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chat state")
        verbose_name_plural = _("chat states")

    def __str__(self) -> str:
        return f"{self.chat_id}: {self.flow}/{self.step}"

    def reset(self) -> None:
        self.flow, self.step, self.data = "", "", {}
