"""The demo town's aid: needs of its hospital, shelters, school and bakery; stock at its hubs;
offers in every state; deliveries in every state; bread every morning for shelter 2."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from hromada.aid.models import Delivery, Item, Need, Pledge, Priority
from hromada.aid.services import deliveries, pledges, recurring, stock
from hromada.core.demo import Town
from hromada.core.models import Membership

# place, item code (or None), free text, quantity, covered, priority, days until needed,
# visibility, note
# fmt: off
NEEDS = [
    ("hospital", "insulin", "", "60", "0", "critical", 2, "public", "Інсулін короткої дії; холодильник є."),
    ("hospital", "bandages", "", "500", "120", "critical", 3, "public", ""),
    ("hospital", "tourniquet", "", "80", "0", "critical", 2, "public", "Лише сертифіковані (CAT або SICH)."),
    ("hospital", "haemostatic-gauze", "", "100", "0", "high", 5, "public", ""),
    ("hospital", "generator-fuel", "", "1000", "400", "critical", 1, "public", "Дизель для генератора операційної."),
    ("hospital", "iv-sets", "", "300", "0", "high", 7, "public", ""),
    ("hospital", "painkillers", "", "200", "0", "high", 7, "public", ""),
    ("hospital", None, "Кисневий концентратор", "2", "0", "high", 10, "public", "5 л/хв або більше."),
    ("shelter1", "bread", "", "150", "0", "high", 1, "public", "Щодня до 8:00."),
    ("shelter1", "drinking-water", "", "400", "100", "high", 2, "public", ""),
    ("shelter1", "blankets", "", "120", "0", "normal", 5, "public", ""),
    ("shelter1", "power-bank", "", "20", "0", "normal", 7, "members", ""),
    ("shelter2", "baby-diapers", "", "40", "0", "high", 3, "public", "Розміри 3–5."),
    ("shelter2", "baby-formula", "", "30", "0", "critical", 2, "public", "Для немовлят до 6 місяців."),
    ("shelter2", "camping-mats", "", "80", "20", "normal", 7, "public", ""),
    ("shelter2", "candles", "", "50", "0", "low", 14, "public", ""),
    ("school", "sandbags", "", "2000", "600", "high", 3, "public", "Закласти вікна підвалу."),
    ("school", "sleeping-bags", "", "60", "0", "normal", 7, "public", ""),
    ("school", "hot-meals", "", "300", "0", "high", 1, "public", "Обід для сімей з дітьми, щодня."),
    ("school", "osb-sheets", "", "40", "0", "normal", 5, "public", "Зашити вибиті вікна спортзалу."),
    ("bakery", "flour", "", "2000", "500", "critical", 2, "public", "Щоб пекти 3 000 буханців на день."),
    ("bakery", "yeast", "", "40", "0", "critical", 2, "public", "Пресовані або сухі."),
    ("bakery", "salt", "", "100", "0", "normal", 10, "public", ""),
    ("bakery", "generator-fuel", "", "300", "0", "high", 3, "public", "Печі працюють від генератора без світла."),
    ("hub-north", "window-film", "", "200", "0", "high", 2, "public", "Після влучань у багатоповерхівки на Київській."),
    ("hub-north", "warm-clothing", "", "150", "30", "normal", 10, "public", "Дорослі та дитячі розміри."),
    ("hub-stadium", "canned-meat", "", "500", "0", "normal", 7, "public", ""),
    ("hub-stadium", "buckwheat", "", "300", "100", "normal", 7, "public", ""),
    ("hub-stadium", "hygiene", "Гігієнічні набори для сімей", "200", "0", "normal", 7, "public", ""),
    ("ngo-point", "heart-medicines", "", "50", "0", "high", 5, "public", "Для літніх людей у селах громади."),
]
# fmt: on


def load(town: Town) -> dict[str, int]:
    items = {item.code: item for item in Item.objects.all()}
    today = town.today
    coordinators = {m.organization_id: m.user for m in Membership.objects.select_related("user")}
    for place_key, item_code, title, quantity, covered, priority, days, visibility, note in NEEDS:
        place = town.places[place_key]
        item = items.get(item_code or "")
        need = Need(
            place=place,
            item=item,
            title=title if item is None else "",
            quantity=Decimal(quantity),
            quantity_covered=Decimal(covered),
            unit=item.unit if item else "set",
            priority=priority,
            needed_by=today + datetime.timedelta(days=days),
            note=note,
            visibility=visibility,
            created_by=coordinators.get(place.organization_id),
            created_at=timezone.now() - datetime.timedelta(hours=days * 3),
        )
        need.status = need.status_for_coverage()
        need.save()
    _stock(town, town.users["hub"])
    _recurring(town)
    offered = _pledges(town)
    planned = _deliveries(town)
    return {"needs": len(NEEDS), "pledges": offered, "deliveries": planned}


# hub key, item code, quantity, days until expiry (perishables), batch
# fmt: off
STOCK = [
    ("hub-north", "blankets", "300", None, ""),
    ("hub-north", "drinking-water", "1200", None, ""),
    ("hub-north", "window-film", "150", None, ""),
    ("hub-north", "candles", "200", None, ""),
    ("hub-north", "bandages", "200", None, ""),
    ("hub-north", "generator-fuel", "500", None, ""),
    ("hub-north", "baby-formula", "40", 5, "F-1104"),
    ("hub-north", "baby-formula", "60", 40, "F-1121"),
    ("hub-stadium", "canned-meat", "400", None, ""),
    ("hub-stadium", "buckwheat", "500", None, ""),
    ("hub-stadium", "baby-diapers", "80", None, ""),
    ("hub-stadium", "camping-mats", "60", None, ""),
    ("hub-stadium", "warm-clothing", "120", None, ""),
    ("bakery", "flour", "800", None, ""),
    ("bakery", "yeast", "10", 9, "Y-22"),
    ("bakery", "salt", "50", None, ""),
]
# fmt: on


def _stock(town: Town, hub: Any) -> None:
    today = town.today
    for place_key, code, quantity, days, batch in STOCK:
        item = Item.objects.get(code=code)
        expiry = today + datetime.timedelta(days=days) if days is not None else None
        actor = town.users["baker" if place_key == "bakery" else "hub"]
        stock.receive_stock(
            actor,
            place=town.places[place_key],
            item=item,
            quantity=Decimal(quantity),
            batch=batch,
            expires_on=expiry,
            note="Початковий облік",
        )


def _pledges(town: Town) -> int:
    anonymous = AnonymousUser()
    hub, stadium = town.users["hub"], town.places["hub-stadium"]
    insulin = Need.objects.filter(item__code="insulin").first()

    def offer(code: str, quantity: str, name: str, **extra: Any) -> Pledge:
        item = Item.objects.get(code=code)
        pledge, _created = pledges.offer_pledge(
            anonymous,
            item=item,
            quantity=Decimal(quantity),
            contact_name=name,
            contact_phone="+380 67 000 00 00",
            **extra,
        )
        return pledge

    offer("blankets", "40", "Оксана з Полтави", note="Нові, в упаковці.")
    offer(
        "insulin",
        "20",
        "Аптека «Подорожник»",
        need=insulin,
        expires_on=town.today + datetime.timedelta(days=120),
    )
    accepted = offer(
        "drinking-water",
        "300",
        "ФОП Коваль",
        handover=Pledge.Handover.PICK_UP,
        location="Охтирка, вул. Гетьманська, 14 (склад)",
    )
    pledges.accept_pledge(hub, accepted, hub=stadium)
    received = offer("canned-meat", "100", "Церква Святого Миколая")
    pledges.accept_pledge(hub, received, hub=stadium)
    pledges.receive_pledge(hub, received, hub=stadium)
    declined = offer(
        "painkillers", "30", "Іван", expires_on=town.today + datetime.timedelta(days=2)
    )
    pledges.decline_pledge(hub, declined, reason="Термін придатності закінчується за два дні.")
    return 5


def _deliveries(town: Town) -> int:
    hub_user, driver, council = (
        town.users["hub"],
        town.users["volunteer"],
        town.users["coordinator"],
    )
    north, stadium = town.places["hub-north"], town.places["hub-stadium"]

    def plan(hub: Any, to: str, code: str, quantity: str, note: str = "") -> Delivery:
        item = Item.objects.get(code=code)
        to_place = town.places[to]
        need = Need.objects.filter(place=to_place, item=item, status__in=Need.OPEN_STATUSES).first()
        delivery, _created = deliveries.plan_delivery(
            hub_user,
            from_place=hub,
            to_place=to_place,
            lines=[deliveries.LineIn(item, Decimal(quantity), need)],
            planned_for=town.today,
            note=note,
        )
        return delivery

    plan(stadium, "shelter2", "baby-diapers", "40", "Дзвонити черговому за 10 хвилин.")
    plan(north, "school", "window-film", "50")
    claimed = plan(north, "shelter2", "baby-formula", "30")
    deliveries.claim_delivery(driver, claimed)
    on_the_way = plan(stadium, "school", "warm-clothing", "40")
    deliveries.claim_delivery(driver, on_the_way)
    deliveries.pick_up(driver, on_the_way)
    delivered = plan(north, "shelter1", "blankets", "120")
    deliveries.claim_delivery(driver, delivered)
    deliveries.pick_up(driver, delivered)
    deliveries.mark_delivered(driver, delivered, recipient_name="Марина Гнатюк (черговa укриття)")
    confirmed = plan(north, "shelter1", "drinking-water", "300")
    deliveries.claim_delivery(driver, confirmed)
    deliveries.pick_up(driver, confirmed)
    deliveries.mark_delivered(driver, confirmed, recipient_name="Марина Гнатюк")
    deliveries.confirm_delivery(council, confirmed)
    failed = plan(stadium, "shelter2", "camping-mats", "20")
    deliveries.claim_delivery(driver, failed)
    deliveries.fail_delivery(driver, failed, reason="Обстріл району, водій повернувся на склад.")
    cancelled = plan(north, "hospital", "bandages", "50")
    deliveries.cancel_delivery(hub_user, cancelled, reason="Лікарня отримала бинти від МОЗ.")
    return 8


def _recurring(town: Town) -> None:
    recurring.create_recurring_need(
        town.users["coordinator"],
        place=town.places["shelter2"],
        item=Item.objects.get(code="bread"),
        quantity=Decimal(200),
        priority=Priority.HIGH,
        at=datetime.time(8, 0),
        starts_on=town.today - datetime.timedelta(days=2),
        note="Щодня до 8:00, на 180 людей.",
    )
