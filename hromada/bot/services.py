"""The bot's own rules: linking accounts, handling each update once, per-user rate limits.

Everything a conversation changes in aid, alerts and the other apps goes through their
services; these are only about the bot itself.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hromada.bot.models import ChatState, LinkCode, ProcessedUpdate, TelegramAccount
from hromada.core.services import record_event
from hromada.lib import ratelimit

LINK_CODE_MINUTES = 15
# Updates one Telegram user may send in a minute before the bot stops answering for a while.
UPDATES_PER_MINUTE = ratelimit.DEFAULTS["bot-update"][0]
KEEP_UPDATES_DAYS = 14
DRAFT_DAYS = 2


@transaction.atomic
def issue_link_code(user: Any, *, now: datetime.datetime | None = None) -> tuple[str, LinkCode]:
    """A fresh one-time code for ``user`` (earlier unused codes stop working)."""
    now = now or timezone.now()
    LinkCode.objects.filter(user=user, used_at__isnull=True).update(expires_at=now)
    while True:
        raw = LinkCode.new_secret()
        digest = LinkCode.digest_of(raw)
        if not LinkCode.objects.filter(digest=digest).exists():
            break
    code = LinkCode.objects.create(
        user=user,
        digest=digest,
        created_at=now,
        expires_at=now + datetime.timedelta(minutes=LINK_CODE_MINUTES),
    )
    return raw, code


@transaction.atomic
def link_account(
    raw_code: str,
    *,
    telegram_id: int,
    chat_id: int,
    username: str = "",
    now: datetime.datetime | None = None,
) -> TelegramAccount:
    """Link the Telegram user who sent ``raw_code`` to the code's owner. A Telegram account
    belongs to one user and a user has one Telegram account: linking again moves it."""
    now = now or timezone.now()
    code = (
        LinkCode.objects.select_for_update()
        .select_related("user")
        .filter(digest=LinkCode.digest_of(raw_code))
        .first()
    )
    if code is None or code.used_at is not None or code.expires_at <= now:
        raise ValidationError(
            {"code": [_("This code is unknown, used or expired. Make a new one on the link page.")]}
        )
    if not code.user.is_active:
        raise ValidationError({"code": [_("This account is disabled.")]})
    code.used_at = now
    code.save(update_fields=["used_at"])
    TelegramAccount.objects.filter(telegram_id=telegram_id).exclude(user=code.user).delete()
    account, _created = TelegramAccount.objects.update_or_create(
        user=code.user,
        defaults={
            "telegram_id": telegram_id,
            "chat_id": chat_id,
            "username": username[:64],
            "linked_at": now,
        },
    )
    record_event("bot.linked", actor=code.user, obj=account, telegram_id=telegram_id)
    return account


@transaction.atomic
def unlink_account(account: TelegramAccount) -> None:
    record_event("bot.unlinked", actor=account.user, obj=account, telegram_id=account.telegram_id)
    account.delete()


def user_for(telegram_id: int | None) -> Any:
    """The Hromada user a Telegram account is linked to, or an anonymous visitor."""
    if telegram_id is None:
        return AnonymousUser()
    account = TelegramAccount.objects.select_related("user").filter(telegram_id=telegram_id).first()
    if account is None or not account.user.is_active:
        return AnonymousUser()
    return account.user


def claim_update(update_id: int) -> bool:
    """Record that ``update_id`` is being handled; False when it already was. Call it inside
    the transaction that does the update's work, so a failure leaves the update unclaimed."""
    try:
        with transaction.atomic():
            ProcessedUpdate.objects.create(update_id=update_id)
    except IntegrityError:
        return False
    return True


def forget_old_updates(now: datetime.datetime | None = None) -> int:
    """Telegram never resends an update after a day: keep two weeks of update ids, link codes
    until a day after they expired, unfinished drafts two days. Safe to run any number of times."""
    now = now or timezone.now()
    deleted, _detail = ProcessedUpdate.objects.filter(
        processed_at__lt=now - datetime.timedelta(days=KEEP_UPDATES_DAYS)
    ).delete()
    codes, _detail = LinkCode.objects.filter(
        expires_at__lt=now - datetime.timedelta(days=1)
    ).delete()
    # An abandoned draft may hold names and phone numbers (a /find, a /give): not kept for long.
    drafts, _detail = ChatState.objects.filter(
        updated_at__lt=now - datetime.timedelta(days=DRAFT_DAYS)
    ).delete()
    return deleted + codes + drafts


def within_rate_limit(telegram_id: int, *, now: datetime.datetime | None = None) -> bool:
    """At most UPDATES_PER_MINUTE updates per Telegram user per minute (shared cache, so it
    holds across web processes)."""
    return ratelimit.hit(
        "bot-update", f"telegram:{telegram_id}", now=now.timestamp() if now else None
    ).allowed


def state_for(chat_id: int) -> ChatState:
    """The chat's conversation state, locked for this transaction."""
    state = ChatState.objects.select_for_update().filter(chat_id=chat_id).first()
    if state is None:
        try:
            with transaction.atomic():
                state = ChatState.objects.create(chat_id=chat_id)
        except IntegrityError:
            state = ChatState.objects.select_for_update().get(chat_id=chat_id)
    return state
