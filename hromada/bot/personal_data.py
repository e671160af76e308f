"""Personal data in the bot: the link between a Telegram account and a user, and drafts."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from hromada.bot.models import ChatState, LinkCode, TelegramAccount
from hromada.core.privacy import DELETE, Kind, Person, _any


def _accounts(person: Person) -> Q | None:
    return _any(
        [
            person.user_q("user"),
            Q(telegram_id__in=person.telegram_ids) if person.telegram_ids else None,
        ]
    )


def _drafts(person: Person) -> Q | None:
    return Q(chat_id__in=person.telegram_ids) if person.telegram_ids else None


def _stale_drafts(now: datetime.datetime, days: int) -> QuerySet[ChatState]:
    return ChatState.objects.filter(updated_at__lt=now - datetime.timedelta(days=days))


KINDS = [
    Kind(
        key="bot.telegram_account",
        model=TelegramAccount,
        fields=("user", "telegram_id", "chat_id", "username", "linked_at"),
        find=_accounts,
        erase=DELETE,
    ),
    Kind(
        key="bot.link_code",
        model=LinkCode,
        fields=("user", "created_at", "expires_at", "used_at"),
        find=lambda person: person.user_q("user"),
        erase=DELETE,
    ),
    Kind(
        # An unfinished conversation may hold names and phone numbers (a /find, a /give).
        key="bot.chat_draft",
        model=ChatState,
        fields=("flow", "step", "data", "updated_at"),
        find=_drafts,
        erase=DELETE,
        days=2,
        expired=_stale_drafts,
    ),
]
