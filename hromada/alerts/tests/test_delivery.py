"""Subscribers get each published alert once, by e-mail or Telegram, in their language; the
Telegram channel gets it too. Sending is an outbox: rows first, claimed before sending,
retried when the channel says "later", never sent twice."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from hromada.alerts import delivery, services
from hromada.alerts.models import Delivery, Subscription
from hromada.alerts.tests.factories import make_subscription, published
from hromada.alerts.tests.servers import FakeBotAPI


@pytest.fixture
def bot():
    api = FakeBotAPI()
    with (
        api.running() as url,
        override_settings(
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_URL=url,
            ALERTS_TELEGRAM_CHANNEL="@okhtyrka_alerts",
            ALERTS_SITE_URL="https://hromada.example",
            ALERTS_HTTP_TIMEOUT=5,
        ),
    ):
        yield api


@pytest.fixture
def publish(community, django_capture_on_commit_callbacks):
    """Publish through the workflow and run what the publication queued, as the worker would."""

    def run(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return published(community, **overrides)

    return run


def test_a_published_alert_reaches_matching_subscribers_once_each(community, bot, publish):
    town = make_subscription(areas=[community.town], address="town@example.org", language="en")
    everywhere = make_subscription(address="all@example.org")
    make_subscription(areas=[community.village], address="village@example.org")
    make_subscription(address="pending@example.org", confirmed_at=None)
    make_subscription(address="left@example.org", unsubscribed_at=timezone.now())
    chat = make_subscription(channel="telegram", address="424242", areas=[community.town])

    alert = publish(areas=[community.town])

    assert sorted(m.to[0] for m in mail.outbox) == ["all@example.org", "town@example.org"]
    english = next(m for m in mail.outbox if m.to == ["town@example.org"])
    assert english.subject == f"Extreme: {alert.info('en').headline}"
    assert alert.info("en").instruction in english.body
    assert f"https://hromada.example/alerts/{alert.pk}/" in english.body
    assert english.extra_headers["List-Unsubscribe"].startswith(
        "<https://hromada.example/alerts/unsubscribe/"
    )
    ukrainian = next(m for m in mail.outbox if m.to == ["all@example.org"])
    assert alert.info("uk").headline in ukrainian.body

    assert [(m["chat_id"], alert.info("uk").headline in m["text"]) for m in bot.sent] == [
        ("424242", True),
        ("@okhtyrka_alerts", True),
    ]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert Delivery.objects.get(address="424242").provider_id == "1"
    assert Delivery.objects.get(address="424242").subscription == chat

    # The task retried, the periodic sweep run, the command run: nothing more is sent.
    assert delivery.send_due(alert_id=alert.pk) == 0
    delivery.retry_due()
    assert len(mail.outbox) == 2 and len(bot.sent) == 2
    assert town.deliveries.count() == everywhere.deliveries.count() == 1


def test_a_telegram_flood_limit_is_retried_later_and_then_sent(community, bot, publish):
    make_subscription(channel="telegram", address="777")
    bot.replies = [
        (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 5",
                "parameters": {"retry_after": 5},
            },
        )
    ]
    with override_settings(ALERTS_TELEGRAM_CHANNEL=""):
        alert = publish()

    row = Delivery.objects.get()
    assert (row.status, row.attempts) == ("pending", 1) and "Too Many Requests" in row.last_error
    assert row.next_attempt_at > timezone.now()
    assert delivery.send_due(alert_id=alert.pk) == 0  # not due yet

    assert delivery.send_due(now=row.next_attempt_at + datetime.timedelta(seconds=1)) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 2) and [m["chat_id"] for m in bot.sent] == ["777"]


def test_a_user_who_blocked_the_bot_is_unsubscribed_not_retried(community, bot, publish):
    chat = make_subscription(channel="telegram", address="555")
    bot.replies = [
        (
            403,
            {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            },
        )
    ]
    with override_settings(ALERTS_TELEGRAM_CHANNEL=""):
        publish()
    row = Delivery.objects.get()
    assert row.status == "failed" and "blocked" in row.last_error
    chat.refresh_from_db()
    assert chat.unsubscribed_at is not None


def test_an_unreachable_bot_api_is_a_temporary_failure(community, publish):
    make_subscription(channel="telegram", address="999")
    with override_settings(
        TELEGRAM_BOT_TOKEN="1:x", TELEGRAM_API_URL="http://127.0.0.1:9", ALERTS_HTTP_TIMEOUT=2
    ):
        publish()
    row = Delivery.objects.get()
    assert row.status == "pending" and "unreachable" in row.last_error


def test_a_delivery_gives_up_after_five_attempts(community, bot, publish):
    make_subscription(channel="telegram", address="31337")
    bot.replies = [(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})] * 5
    with override_settings(ALERTS_TELEGRAM_CHANNEL=""):
        alert = publish(expires=timezone.now() + datetime.timedelta(days=2))
    when = timezone.now()
    for _attempt in range(4):
        when += datetime.timedelta(hours=1)
        delivery.send_due(alert_id=alert.pk, now=when)
    row = Delivery.objects.get()
    assert (row.status, row.attempts) == ("failed", 5) and bot.sent == []


def test_a_row_another_worker_claimed_is_not_sent_again(community, bot, publish):
    make_subscription(address="claimed@example.org")
    with override_settings(ALERTS_TELEGRAM_CHANNEL=""), pytest.MonkeyPatch.context() as patch:
        patch.setattr(delivery, "_enqueue", lambda *a, **k: None)  # no worker yet
        alert = publish()
    row = Delivery.objects.get()
    Delivery.objects.filter(pk=row.pk).update(status="sending", claimed_at=timezone.now())

    assert delivery.send_one(row.pk) is False and mail.outbox == []
    # Still "sending" ten minutes on: the worker died; resending could send it twice.
    later = timezone.now() + datetime.timedelta(minutes=11)
    delivery.retry_due(now=later)
    row.refresh_from_db()
    assert row.status == "failed" and "interrupted" in row.last_error
    assert mail.outbox == [] and alert.pk


def test_an_alert_no_longer_in_force_is_not_sent_late(community, bot, publish):
    make_subscription(address="late@example.org")
    with override_settings(ALERTS_TELEGRAM_CHANNEL=""), pytest.MonkeyPatch.context() as patch:
        patch.setattr(delivery, "_enqueue", lambda *a, **k: None)
        alert = publish()
    delivery.send_due(now=alert.expires_at + datetime.timedelta(minutes=1))
    assert mail.outbox == [] and Delivery.objects.get().status == "failed"


def test_subscriptions_filter_by_category_and_severity(community, bot, publish):
    make_subscription(address="health@example.org", categories=["Health"])
    make_subscription(address="severe@example.org", min_severity="Severe")
    make_subscription(address="security@example.org", categories=["Security"])
    with override_settings(ALERTS_TELEGRAM_CHANNEL=""):
        publish(severity="Moderate")
    assert [m.to[0] for m in mail.outbox] == ["security@example.org"]


def test_exercises_and_restricted_alerts_are_not_sent_to_residents(community, bot, publish):
    make_subscription(address="resident@example.org")
    publish(status="Exercise")
    publish(scope="Restricted", restriction="Wardens")
    assert mail.outbox == [] and bot.sent == [] and not Delivery.objects.exists()


def test_a_cancel_is_sent_as_a_cancellation(
    community, bot, publish, django_capture_on_commit_callbacks
):
    make_subscription(address="resident@example.org", language="en")
    with override_settings(ALERTS_TELEGRAM_CHANNEL=""):
        alert = publish()
        cancel, _ = services.start_follow_up(community.alert_author, alert, msg_type="Cancel")
        services.submit_alert(community.alert_author, cancel)
        with django_capture_on_commit_callbacks(execute=True):
            services.approve_alert(community.alert_approver, cancel)
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Extreme", "Cancelled"]
    assert "CANCELLED" in mail.outbox[1].body


def test_an_email_subscription_starts_only_once_confirmed_and_stops_by_its_link(
    community, as_user, django_capture_on_commit_callbacks
):
    client = as_user(community.anonymous)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("alerts:subscribe"),
            {
                "email": "Olena@Example.org",
                "areas": [community.town.code],
                "language": "en",
                "consent": "on",
            },
        )
    assert response.status_code == 200 and "Check your e-mail" in response.content.decode()
    subscription = Subscription.objects.get()
    assert subscription.address == "olena@example.org" and not subscription.is_active
    (confirmation,) = mail.outbox
    link = next(word for word in confirmation.body.split() if "/subscribe/confirm/" in word)
    path = link.split("://", 1)[1].split("/", 1)[1]

    assert client.get("/" + path).status_code == 200  # a mail scanner opening it confirms nothing
    assert not Subscription.objects.get().is_active
    client.post("/" + path)
    assert Subscription.objects.get().is_active

    unsubscribe = delivery.unsubscribe_url(subscription).split("://", 1)[1].split("/", 1)[1]
    client.post("/" + unsubscribe)
    assert not Subscription.objects.get().is_active
    assert client.get(reverse("alerts:unsubscribe", args=["forged"])).status_code == 404
    # a confirmation link cannot be used to unsubscribe, nor the other way round
    assert (
        client.get(
            reverse("alerts:unsubscribe", args=[path.rstrip("/").rsplit("/", 1)[1]])
        ).status_code
        == 404
    )


def test_subscribing_the_same_address_again_changes_it_and_sends_no_second_mail(
    community, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.subscribe(
            channel="email", address="a@example.org", areas=[], categories=[]
        )
    services.confirm_subscription(first)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.subscribe(
            channel="email",
            address="A@example.org",
            areas=[community.village],
            categories=["Health"],
        )
    assert first.pk == second.pk and len(mail.outbox) == 1
    assert list(second.areas.all()) == [community.village] and second.is_active


def test_the_bot_subscribes_a_chat_directly(community):
    chat = services.subscribe(
        channel="telegram",
        address="123456789",
        areas=[community.town],
        categories=[],
        confirmed=True,
    )
    assert chat.is_active
    with pytest.raises(Exception, match="chat id"):
        services.subscribe(
            channel="telegram", address="not a chat", areas=[], categories=[], confirmed=True
        )


def test_asking_again_and_again_sends_one_confirmation_an_hour(
    community, django_capture_on_commit_callbacks
):
    for _attempt in range(5):
        with django_capture_on_commit_callbacks(execute=True):
            services.subscribe(
                channel="email", address="victim@example.org", areas=[], categories=[]
            )
    assert [m.to for m in mail.outbox] == [["victim@example.org"]]
