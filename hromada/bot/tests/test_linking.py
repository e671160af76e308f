"""Linking a Telegram account with a one-time code made on a signed-in page."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hromada.bot import services
from hromada.bot.models import LinkCode, TelegramAccount
from hromada.core.models import AuditEvent


def _code_from(html: str) -> str:
    return html.split("<code>/link ")[1].split("</code>")[0]


def test_a_code_made_on_the_page_links_the_chat_once(community, as_user, telegram, run_bot):
    page = reverse("bot:link")
    assert as_user(community.anonymous).get(page).status_code == 302  # sign in first
    response = as_user(community.coordinator).post(page, {"action": "code"})
    code = _code_from(response.content.decode())
    assert not LinkCode.objects.filter(digest=code).exists()  # only its digest is kept

    telegram.say(telegram.user(7001), f"/start {code}")
    telegram.say(telegram.user(7002), f"/link {code}")  # the same code from another account
    run_bot()

    account = TelegramAccount.objects.get()
    assert (account.user, account.telegram_id) == (community.coordinator, 7001)
    assert "Linked" in telegram.last(7001)["text"] or "Прив" in telegram.last(7001)["text"]
    assert not TelegramAccount.objects.filter(telegram_id=7002).exists()
    assert AuditEvent.objects.filter(action="bot.linked").count() == 1
    assert "Telegram user 7001" in as_user(community.coordinator).get(page).content.decode() or (
        "@user7001" in as_user(community.coordinator).get(page).content.decode()
    )


def test_an_expired_or_replaced_code_does_not_link(community):
    raw, _code = services.issue_link_code(community.coordinator)
    later = timezone.now() + datetime.timedelta(minutes=services.LINK_CODE_MINUTES + 1)
    with pytest.raises(ValidationError):
        services.link_account(raw, telegram_id=1, chat_id=1, now=later)
    old, _code = services.issue_link_code(community.coordinator)
    services.issue_link_code(community.coordinator)
    with pytest.raises(ValidationError):
        services.link_account(old, telegram_id=1, chat_id=1)
    assert not TelegramAccount.objects.exists()


def test_linking_again_moves_the_telegram_account(community):
    raw, _code = services.issue_link_code(community.coordinator)
    services.link_account(raw, telegram_id=42, chat_id=42)
    raw, _code = services.issue_link_code(community.volunteer)
    services.link_account(raw.lower(), telegram_id=42, chat_id=42)  # typed in lower case
    assert TelegramAccount.objects.get().user == community.volunteer


def test_unlink_from_the_bot_and_from_the_page(community, as_user, telegram, run_bot):
    from hromada.bot.tests.factories import link

    link(community.coordinator, 7003)
    telegram.say(telegram.user(7003, language="en"), "/unlink")
    run_bot()
    assert not TelegramAccount.objects.exists()
    assert "Unlinked" in telegram.last(7003)["text"]

    link(community.coordinator, 7003)
    as_user(community.coordinator).post(reverse("bot:link"), {"action": "unlink"})
    assert not TelegramAccount.objects.exists()


def test_housekeeping_forgets_old_update_ids_codes_and_abandoned_drafts(db, community):
    from hromada.bot.models import ChatState, ProcessedUpdate

    services.claim_update(1)
    services.issue_link_code(community.coordinator)
    ChatState.objects.create(chat_id=5, flow="find", step="inquirer_contact", data={"x": 1})
    assert services.forget_old_updates() == 0
    later = timezone.now() + datetime.timedelta(days=services.KEEP_UPDATES_DAYS + 1)
    assert services.forget_old_updates(later) == 3
    assert not ProcessedUpdate.objects.exists() and not ChatState.objects.exists()
