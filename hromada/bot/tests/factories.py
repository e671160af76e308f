"""make_<thing>(**overrides) for the bot's tests."""

from __future__ import annotations

import itertools
from typing import Any

from hromada.bot import services
from hromada.bot.models import TelegramAccount

_ids = itertools.count(7_000_001)


def link(user: Any, telegram_id: int | None = None, *, language: str = "en") -> TelegramAccount:
    """Link ``user`` to a Telegram account through the real code exchange. The bot speaks the
    user's language; tests read English unless they ask for Ukrainian."""
    telegram_id = telegram_id or next(_ids)
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    raw, _code = services.issue_link_code(user)
    return services.link_account(raw, telegram_id=telegram_id, chat_id=telegram_id)
