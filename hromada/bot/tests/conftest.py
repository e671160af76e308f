import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

from hromada.bot.tests.fake_api import FakeTelegram


@pytest.fixture(autouse=True)
def _empty_cache():
    """The rate limit counts in the cache; a test must not inherit another's count."""
    cache.clear()


@pytest.fixture
def telegram():
    """A fake Bot API on loopback, with the bot (and the alerts' Telegram channel) pointed at it."""
    api = FakeTelegram()
    with (
        api.running() as url,
        override_settings(
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_URL=url,
            TELEGRAM_WEBHOOK_SECRET="webhook-secret-for-tests",
            ALERTS_TELEGRAM_CHANNEL="",
            ALERTS_HTTP_TIMEOUT=5,
        ),
    ):
        yield api


@pytest.fixture
def run_bot(telegram):
    """Handle every update waiting at the fake API, as `hromada bot --once` does."""

    def run() -> None:
        call_command("bot", "--once", stdout=io.StringIO())

    return run
