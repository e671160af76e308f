"""The issue's story, end to end against the fake Bot API: a coordinator types one sentence
and confirms, the need exists; a driver claims and delivers it; a resident subscribed to an
area receives the published alert."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from hromada.aid.models import Delivery, Need
from hromada.aid.services.deliveries import LineIn, plan_delivery
from hromada.aid.tests.factories import item, stock_up
from hromada.alerts.models import Subscription
from hromada.alerts.tests.factories import published
from hromada.bot.tests.factories import link
from hromada.core.models import Role
from hromada.core.tests.factories import make_user


def test_a_need_typed_in_one_sentence_is_driven_and_delivered_and_a_resident_gets_the_alert(
    community, telegram, run_bot, django_capture_on_commit_callbacks
):
    coordinator = telegram.user(5001)
    link(community.coordinator, 5001, language="uk")

    # The coordinator types one sentence; the bot proposes the need and shows what it read.
    telegram.say(coordinator, "Міській раді потрібно 50 упаковок інсуліну до завтра, дякую")
    run_bot()
    proposal = telegram.last(5001)["text"]
    assert "Міська рада" in proposal
    assert "Інсулін" in proposal and "50" in proposal
    assert Need.objects.count() == 0  # nothing until confirmed

    assert "need:ok" in telegram.buttons(5001).values()
    telegram.press(coordinator, "need:ok")
    run_bot()
    need = Need.objects.get()
    assert (need.place, need.item, need.quantity, need.unit) == (
        community.office,
        item("insulin"),
        Decimal(50),
        "pack",
    )
    assert need.needed_by == timezone.localdate() + datetime.timedelta(days=1)
    assert need.created_by == community.coordinator
    assert f"№{need.pk}" in telegram.last(5001)["text"]  # the coordinator reads Ukrainian

    # The hub plans a run for it (on the site); a driver of the hub takes it in the bot.
    hub_coordinator = make_user(roles={community.hq: [Role.COORDINATOR]})
    stock_up(community.hub, "insulin", 80)
    delivery, _created = plan_delivery(
        hub_coordinator,
        from_place=community.hub,
        to_place=community.office,
        lines=[LineIn(item=item("insulin"), quantity=Decimal(50), need=need)],
    )
    driver = telegram.user(5002)
    link(community.volunteer, 5002, language="uk")
    telegram.say(driver, "/deliveries")
    run_bot()
    assert f"dl:claim:{delivery.pk}" in telegram.buttons(5002).values()

    telegram.press(driver, f"dl:claim:{delivery.pk}")
    run_bot()
    telegram.press(driver, f"dl:pick:{delivery.pk}")
    run_bot()
    telegram.press(driver, f"dl:done:{delivery.pk}")
    run_bot()
    telegram.send_photo(driver)
    run_bot()
    telegram.say(driver, "Олена Петрівна")
    run_bot()
    assert "Олена Петрівна" in telegram.last(5002)["text"]
    telegram.press(driver, f"dl:ok:{delivery.pk}")
    run_bot()

    delivery.refresh_from_db()
    need.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.driver == community.volunteer
    assert delivery.recipient_name == "Олена Петрівна"
    assert delivery.photo.name.endswith(".jpg")
    assert need.status == Need.Status.COVERED

    # A resident, not linked to any account, subscribes this chat to the town's alerts.
    resident = telegram.user(5003)
    telegram.say(resident, "/alerts")
    run_bot()
    telegram.say(resident, "охтирка")
    run_bot()
    telegram.press(resident, f"al:area:{community.town.pk}")
    run_bot()
    telegram.press(resident, "al:ok")
    run_bot()
    subscription = Subscription.objects.get(channel="telegram", address="5003")
    assert subscription.is_active and list(subscription.areas.all()) == [community.town]

    with django_capture_on_commit_callbacks(execute=True):
        alert = published(community, areas=[community.town])
    assert any(alert.info("uk").headline in text for text in telegram.texts(5003))
