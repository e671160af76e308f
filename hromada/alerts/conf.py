"""The alerts app's settings: Django settings first, then the environment, then a safe default.

Until these names are added to ``hromada/settings.py`` they are read from the environment here
(and ``<NAME>_FILE`` for secrets), so a deployment can already set them; tests override them
with ``override_settings``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # CAP <sender>: who the town's own alerts come from (no spaces, commas, < or &).
    "ALERTS_SENDER": "hromada@localhost",
    # Where links in CAP files, feeds, e-mails and Telegram messages point.
    "ALERTS_SITE_URL": "http://127.0.0.1:8000",
    # Telegram Bot API: the token, the API's base URL, and a channel to publish every public alert to.
    "TELEGRAM_BOT_TOKEN": "",
    "TELEGRAM_API_URL": "https://api.telegram.org",
    "ALERTS_TELEGRAM_CHANNEL": "",
    # Seconds to wait for an external CAP feed, or for the Bot API.
    "ALERTS_HTTP_TIMEOUT": 10,
}


def get(name: str) -> Any:
    """The setting ``name``: from Django's settings, the environment, or the default."""
    if hasattr(settings, name):
        return getattr(settings, name)
    default = DEFAULTS[name]
    path = os.environ.get(f"{name}_FILE")
    raw = Path(path).read_text(encoding="utf-8").strip() if path else os.environ.get(name)
    if raw is None or raw == "":
        return default
    return type(default)(raw)


def site_url() -> str:
    return str(get("ALERTS_SITE_URL")).rstrip("/")


def absolute(path: str) -> str:
    """An absolute URL for a path on this site, for messages read away from the site."""
    return site_url() + path
