"""The bot's housekeeping, run by `hromada worker` (see hromada.core.periodic)."""

from __future__ import annotations

from hromada.bot.services import forget_old_updates

PERIODIC = [("bot.forget_old_updates", 24 * 3600, forget_old_updates)]
