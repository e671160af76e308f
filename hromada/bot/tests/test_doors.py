"""The two ways updates come in: the command (long polling) and the webhook."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from hromada.bot.models import ProcessedUpdate

HEADER = "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"


def test_the_command_without_a_token_says_so_and_fails(db):
    with (
        override_settings(TELEGRAM_BOT_TOKEN=""),
        pytest.raises(CommandError, match="TELEGRAM_BOT_TOKEN"),
    ):
        call_command("bot")


def test_the_command_handles_what_is_waiting_and_confirms_it(db, telegram, run_bot):
    telegram.say(telegram.user(8001, language="en"), "/help")
    run_bot()
    run_bot()  # nothing left: the first run confirmed the offset
    assert len(telegram.sent(8001)) == 1
    assert "Hromada bot" in telegram.last(8001)["text"]


def test_the_webhook_checks_the_secret_and_handles_each_update_once(db, telegram):
    update = telegram.say(telegram.user(8002, language="en"), "/help")
    telegram.updates.clear()  # it arrives by webhook, not by polling
    url = reverse("bot:webhook")
    client = Client()
    body = json.dumps(update)

    assert client.post(url, body, content_type="application/json").status_code == 403
    assert (
        client.post(url, body, content_type="application/json", **{HEADER: "wrong"}).status_code
        == 403
    )
    assert (
        client.post(
            url, "{", content_type="application/json", **{HEADER: "webhook-secret-for-tests"}
        ).status_code
        == 400
    )
    with override_settings(TELEGRAM_WEBHOOK_SECRET=""):
        assert client.post(url, body, content_type="application/json").status_code == 404
    assert telegram.sent(8002) == []

    for _attempt in range(2):  # Telegram retries
        response = client.post(
            url, body, content_type="application/json", **{HEADER: "webhook-secret-for-tests"}
        )
        assert response.status_code == 200
    assert len(telegram.sent(8002)) == 1
    assert ProcessedUpdate.objects.filter(update_id=update["update_id"]).exists()


def test_the_command_points_telegram_at_the_webhook_with_its_secret(db, telegram):
    call_command(
        "bot", "--set-webhook", "https://hromada.example/bot/webhook/", stdout=io.StringIO()
    )
    assert (telegram.webhook, telegram.webhook_secret) == (
        "https://hromada.example/bot/webhook/",
        "webhook-secret-for-tests",
    )
    call_command("bot", "--delete-webhook", stdout=io.StringIO())
    assert telegram.webhook == ""
    with override_settings(TELEGRAM_WEBHOOK_SECRET=""), pytest.raises(CommandError, match="SECRET"):
        call_command("bot", "--set-webhook", "https://hromada.example/bot/webhook/")
