"""Duplicates, failures, strangers and groups: what must never happen twice or to the wrong chat."""

from __future__ import annotations

from decimal import Decimal

from hromada.aid.models import Delivery, Item, Need
from hromada.aid.services.deliveries import LineIn, plan_delivery
from hromada.aid.tests.factories import item, stock_up
from hromada.bot.models import ChatState, ProcessedUpdate
from hromada.bot.services import UPDATES_PER_MINUTE
from hromada.bot.tests.factories import link
from hromada.core.models import Role
from hromada.core.tests.factories import make_user

SENTENCE = "школі №5 треба 30 кг гречки до завтра"


def test_a_repeated_update_and_a_double_tap_post_the_need_once(community, telegram, run_bot):
    user = telegram.user(6001)
    link(community.coordinator, 6001)
    first = telegram.say(user, SENTENCE)
    telegram.repeat(first)  # Telegram resends after a timeout
    run_bot()
    assert len(telegram.sent(6001)) == 1  # one proposal, not two

    tap = telegram.press(user, "need:ok")
    telegram.repeat(tap)
    telegram.press(user, "need:ok")  # a second, impatient tap: a new update
    run_bot()

    need = Need.objects.get()
    assert (need.place, need.item.code, need.quantity) == (community.school, "buckwheat", 30)
    assert ProcessedUpdate.objects.filter(update_id=tap["update_id"]).count() == 1
    assert "closed" in telegram.last(6001)["text"]


def test_a_refused_step_tells_why_and_keeps_the_draft(community, telegram, run_bot):
    user = telegram.user(6002)
    link(community.coordinator, 6002)
    telegram.say(user, SENTENCE)
    run_bot()
    Item.objects.filter(code="buckwheat").update(is_active=False)  # withdrawn meanwhile
    telegram.press(user, "need:ok")
    run_bot()

    assert not Need.objects.exists()
    assert "Choose an item" in telegram.last(6002)["text"]
    state = ChatState.objects.get(chat_id=6002)
    assert (state.flow, state.step, state.data["quantity"]) == ("need", "confirm", "30")


def test_an_unlinked_user_cannot_post_needs(community, telegram, run_bot):
    stranger = telegram.user(6003, language="en")
    telegram.say(stranger, SENTENCE)
    telegram.say(stranger, "/need")
    telegram.press(stranger, "need:ok")  # a forged button
    run_bot()

    assert not Need.objects.exists()
    texts = telegram.texts(6003)
    assert "Only a linked coordinator can post needs" in texts[0]
    assert "Only a linked coordinator can post needs" in texts[1]


def test_a_linked_volunteer_is_not_a_coordinator(community, telegram, run_bot):
    link(community.volunteer, 6004)
    telegram.say(telegram.user(6004), SENTENCE)
    run_bot()
    assert not Need.objects.exists()
    assert "Only coordinators of a place" in telegram.last(6004)["text"]


def test_a_coordinator_cannot_post_for_a_place_of_another_organisation(
    community, telegram, run_bot
):
    user = telegram.user(6005)
    link(community.coordinator, 6005)
    telegram.say(user, SENTENCE)
    telegram.press(user, f"need:place:{community.ward.pk}")  # a forged button: the hospital's ward
    telegram.press(user, "need:place:1 OR 1=1")  # a garbled one
    telegram.press(user, "need:ok")
    run_bot()
    assert Need.objects.get().place == community.school
    assert any("do not coordinate" in t for t in telegram.texts(6005))
    assert any("out of date" in t for t in telegram.texts(6005))


def test_in_a_group_the_bot_says_nothing_but_where_to_write(community, telegram, run_bot):
    link(community.coordinator, 6006)
    telegram.say(telegram.user(6006), SENTENCE, chat_type="group")
    telegram.say(telegram.user(6006), "/deliveries", chat_type="group")
    run_bot()
    group = -1000000 - 6006
    assert not Need.objects.exists()
    # Plain chatter gets no answer; a command gets one line, and nobody's data.
    assert telegram.texts(group) == ["I work in a private chat only: write to me directly."]
    assert telegram.sent(6006) == []


def test_a_flood_from_one_user_is_cut_off(community, telegram, run_bot):
    user = telegram.user(6007)
    for _n in range(UPDATES_PER_MINUTE + 5):
        telegram.say(user, "/help")
    run_bot()
    assert len(telegram.sent(6007)) == UPDATES_PER_MINUTE


def test_a_driver_sees_where_to_go_only_once_the_delivery_is_theirs(community, telegram, run_bot):
    community.shelter.address = "вул. Сумська, 12, підвал"
    community.shelter.save()
    hub_coordinator = make_user(roles={community.hq: [Role.COORDINATOR]})
    stock_up(community.hub, "blankets", 20)
    delivery, _created = plan_delivery(
        hub_coordinator,
        from_place=community.hub,
        to_place=community.shelter,
        lines=[LineIn(item=item("blankets"), quantity=Decimal(20))],
    )
    driver = telegram.user(6008)
    link(community.volunteer, 6008)
    outsider = telegram.user(6009)
    link(community.outsider, 6009)

    telegram.say(driver, "/deliveries")
    run_bot()
    listing = telegram.last(6008)["text"]
    assert f"#{delivery.pk}" in listing and "Сумська" not in listing

    telegram.say(outsider, "/deliveries")
    telegram.press(outsider, f"dl:claim:{delivery.pk}")  # forged: not their hub
    run_bot()
    assert all("Сумська" not in t and f"#{delivery.pk} " not in t for t in telegram.texts(6009))
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PLANNED

    telegram.press(driver, f"dl:claim:{delivery.pk}")
    run_bot()
    assert "Сумська, 12" in telegram.last(6008)["text"]
    delivery.refresh_from_db()
    assert delivery.driver == community.volunteer


def test_an_unlinked_user_gets_no_deliveries(community, telegram, run_bot):
    telegram.say(telegram.user(6010, language="en"), "/deliveries")
    run_bot()
    assert "linked drivers" in telegram.last(6010)["text"]


def test_an_unexpected_failure_is_told_and_the_update_may_come_again(
    community, telegram, run_bot, monkeypatch
):
    user = telegram.user(6011, language="en")
    link(community.coordinator, 6011)
    telegram.say(user, SENTENCE)
    run_bot()

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("hromada.bot.flows.needs.create_need", broken)
    tap = telegram.press(user, "need:ok")
    run_bot()
    assert "Something went wrong" in telegram.last(6011)["text"]
    assert not ProcessedUpdate.objects.filter(update_id=tap["update_id"]).exists()
    assert ChatState.objects.get(chat_id=6011).step == "confirm"  # the draft is kept

    monkeypatch.undo()
    telegram.repeat(tap)
    run_bot()
    assert Need.objects.count() == 1


def test_running_the_bot_leaves_no_thread_behind(db, telegram, run_bot):
    import gc
    import threading

    before = {t.ident for t in threading.enumerate()}
    telegram.say(telegram.user(6012), "/help")
    run_bot()
    # asgiref's async_to_sync runs the event loop in a one-off executor that it does not shut
    # down: its idle thread ends once the executor is collected.
    gc.collect()
    for thread in threading.enumerate():
        if thread.ident not in before:
            thread.join(timeout=5)
    assert [t.name for t in threading.enumerate() if t.ident not in before] == []


def test_a_driver_who_shares_a_location_sees_the_nearest_hub_first(community, telegram, run_bot):
    from hromada.core.tests.factories import make_place

    far_hub = community.hub  # at 50.31, 34.89 (the factory's default)
    near_hub = make_place(
        name="Склад на Київській",
        organization=community.hq,
        area=community.village,
        latitude=Decimal("50.45"),
        longitude=Decimal("30.52"),
    )
    hub_coordinator = make_user(roles={community.hq: [Role.COORDINATOR]})
    runs = []
    for hub in (far_hub, near_hub):
        stock_up(hub, "blankets", 5)
        delivery, _created = plan_delivery(
            hub_coordinator,
            from_place=hub,
            to_place=community.office,
            lines=[LineIn(item=item("blankets"), quantity=Decimal(5))],
        )
        runs.append(delivery)
    driver = telegram.user(6013)
    link(community.volunteer, 6013)
    telegram.send_location(driver, 50.4501, 30.5234)  # Kyiv, by the near hub
    run_bot()
    listing = telegram.last(6013)["text"]
    assert listing.index(f"#{runs[1].pk} ") < listing.index(f"#{runs[0].pk} ")
    assert "km away" in listing
