"""/alerts: a chat follows the kinds of alerts it chose, and can stop."""

from __future__ import annotations

from hromada.alerts.models import Subscription
from hromada.alerts.tests.factories import published


def test_a_chat_gets_only_the_kinds_it_chose_and_can_stop(
    community, telegram, run_bot, django_capture_on_commit_callbacks
):
    resident = telegram.user(9301, language="en")
    telegram.say(resident, "/alerts")
    telegram.press(resident, "al:all")
    telegram.press(resident, "al:cat:Health")
    telegram.press(resident, "al:cat:Met")
    telegram.press(resident, "al:cat:Met")  # changed their mind: a second tap takes it off
    telegram.press(resident, "al:ok")
    run_bot()
    subscription = Subscription.objects.get(address="9301")
    assert (subscription.categories, subscription.language, list(subscription.areas.all())) == (
        ["Health"],
        "en",
        [],
    )

    with django_capture_on_commit_callbacks(execute=True):
        published(community, category="Security")
        health = published(community, category="Health")
    # Both alerts share the factory's headline: exactly one arriving means only Health did.
    headline = health.info("en").headline
    assert len([t for t in telegram.texts(9301) if headline in t]) == 1

    telegram.say(resident, "/alerts")
    run_bot()
    assert "al:stop" in telegram.buttons(9301).values()
    telegram.press(resident, "al:stop")
    run_bot()
    subscription.refresh_from_db()
    assert not subscription.is_active
