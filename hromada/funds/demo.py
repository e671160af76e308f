"""The demo town's funds: the Volunteer HQ's "bread and medicines" fund and the Kind Hands
Foundation's fund for the villages, with three months of donations in UAH, EUR and USD
(from a fixed seed), dated exchange rates, conversions, and expenses with receipts. Two
purchases were delivered: tourniquets and haemostatic gauze to the hospital (the donors
earmarked them for its need) and power banks to a shelter whose place is not public.

``treasurer`` (Ганна Литвин) is the HQ's second manager, who approves large expenses.
"""

from __future__ import annotations

import datetime
import io
import math
import random
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from hromada.aid.models import Item, Need
from hromada.aid.services import deliveries
from hromada.core.demo import DEMO_PASSWORD, Town
from hromada.core.models import Membership, Role, User
from hromada.funds import services
from hromada.funds.models import BankMapping, Channel, Currency, ExchangeRate, Fund

SEED = 20220301
DONATIONS = {"hq": 240, "ngo": 60}
DAYS = 80

DONORS = [
    "Марія Коваль", "Олег Степаненко", "Anna Schmidt", "Jean Dupont", "Katarzyna Nowak",
    "John Miller", "Ірина Бойко", "ТОВ «Агроцентр»", "Parafia św. Józefa", "Lukas Weber",
    "Сергій Мазур", "Emma Johansson", "Тетяна Гуменюк", "Piotr Zieliński", "Claire Martin",
]  # fmt: skip


def _rates(town: Town, hub: User) -> None:
    """A rate for every day of the last ``DAYS``: close to the NBU's, made up."""
    for back in range(DAYS + 5):
        day = town.today - datetime.timedelta(days=back)
        wave = Decimal(str(round(math.sin(back / 9) * 0.35, 4)))
        for currency, base in ((Currency.EUR, Decimal("44.10")), (Currency.USD, Decimal("41.35"))):
            ExchangeRate.objects.create(
                currency=currency,
                quote=Currency.UAH,
                rate=(base + wave).quantize(Decimal("0.0001")),
                on=day,
                source="НБУ",
                created_by=hub,
            )


def _receipt(text: str) -> ContentFile:
    image = Image.new("RGB", (360, 240), "white")
    draw = ImageDraw.Draw(image)
    draw.text((16, 16), "ФІСКАЛЬНИЙ ЧЕК / RECEIPT", fill="black")
    draw.text((16, 48), text, fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return ContentFile(out.getvalue(), name="receipt.png")


def _donations(
    fund: Fund,
    actor: User,
    town: Town,
    rng: random.Random,
    count: int,
    earmarks: list[dict[str, Any]],
) -> int:
    for n in range(count):
        currency = rng.choices([Currency.UAH, Currency.EUR, Currency.USD], weights=[6, 3, 1])[0]
        if not fund.accepts(currency):
            currency = Currency.EUR
        if currency == Currency.UAH:
            amount = Decimal(rng.choice([100, 200, 250, 300, 500, 500, 1000, 1500, 2000, 5000]))
        else:
            amount = Decimal(rng.choice([10, 20, 25, 50, 50, 100, 150, 200, 500]))
        named = rng.random() < 0.2
        donor = rng.choice(DONORS) if named or rng.random() < 0.6 else ""
        channel = rng.choices(
            [Channel.BANK, Channel.CARD, Channel.CASH, Channel.CRYPTO], weights=[5, 4, 1, 1]
        )[0]
        earmark = rng.choice(earmarks) if rng.random() < 0.45 else {}
        services.record_donation(
            actor,
            fund,
            amount=amount,
            currency=currency,
            received_on=town.today - datetime.timedelta(days=rng.randint(1, DAYS - 5)),
            channel=channel,
            donor_name=donor,
            donor_public=named and bool(donor),
            reference=f"{fund.pk}-{n + 1:05d}" if channel in (Channel.BANK, Channel.CARD) else "",
            **earmark,
        )
    return count


def _deliver(town: Town, hub: Any, to: str, codes: list[tuple[str, str]], confirm_by: str) -> None:
    place = town.places[to]
    lines = []
    for code, quantity in codes:
        item = Item.objects.get(code=code)
        need = Need.objects.filter(place=place, item=item, status__in=Need.OPEN_STATUSES).first()
        lines.append(deliveries.LineIn(item, Decimal(quantity), need))
    driver = town.users["volunteer"]
    delivery, _created = deliveries.plan_delivery(
        town.users["hub"], from_place=hub, to_place=place, lines=lines, planned_for=town.today
    )
    deliveries.claim_delivery(driver, delivery)
    deliveries.pick_up(driver, delivery)
    deliveries.mark_delivered(driver, delivery, recipient_name="Черговий")
    deliveries.confirm_delivery(town.users[confirm_by], delivery)


def load(town: Town) -> dict[str, int]:
    rng = random.Random(SEED)  # noqa: S311 -- made-up demo data, the same every time
    hub_user, orgadmin = town.users["hub"], town.users["orgadmin"]
    treasurer = User(username="treasurer", name="Ганна Литвин", language="uk")
    treasurer.set_password(DEMO_PASSWORD)
    treasurer.save()
    Membership.objects.create(user=treasurer, organization=town.orgs["hq"], roles=[Role.ORG_ADMIN])
    _rates(town, hub_user)

    hq_fund, _created = services.create_fund(
        hub_user,
        organization=town.orgs["hq"],
        name="Хліб і ліки для Охтирки",
        purpose=(
            "Купуємо те, чого бракує лікарні, укриттям і пекарні: турнікети, перев'язку, "
            "дитячу суміш, пальне для генераторів. Кожна гривня — з чеком і доставкою."
        ),
        currencies=[Currency.UAH, Currency.EUR, Currency.USD],
        approval_threshold=Decimal("50000.00"),
    )
    ngo_fund, _created = services.create_fund(
        orgadmin,
        organization=town.orgs["ngo"],
        name="Тепло для Старої Іванівки",
        purpose="Теплий одяг і ліки для літніх людей у селах громади.",
        currencies=[Currency.UAH, Currency.EUR],
        approval_threshold=Decimal("20000.00"),
    )
    tourniquets = Need.objects.get(place=town.places["hospital"], item__code="tourniquet")
    gauze = Need.objects.get(place=town.places["hospital"], item__code="haemostatic-gauze")
    hq_earmarks: list[dict[str, Any]] = [
        {"earmark_need": tourniquets},
        {"earmark_need": gauze},
        {"earmark_category": "baby"},
        {"earmark_category": "food"},
        {"earmark_place": town.places["shelter1"]},
    ]
    count = _donations(hq_fund, hub_user, town, rng, DONATIONS["hq"], hq_earmarks)
    count += _donations(
        ngo_fund, orgadmin, town, rng, DONATIONS["ngo"], [{"earmark_category": "clothing"}]
    )
    # Money given in euros and dollars is changed into hryvnias at the bank before it is spent.
    for fund, actor in ((hq_fund, hub_user), (ngo_fund, orgadmin)):
        for currency, rate in ((Currency.EUR, Decimal("43.90")), (Currency.USD, Decimal("41.10"))):
            held = services.balances(fund).get(currency, Decimal(0))
            sold = (held * Decimal("0.6")).quantize(Decimal("1"))
            if sold > 0:
                services.convert_currency(
                    actor,
                    fund,
                    sold_amount=sold,
                    sold_currency=currency,
                    bought_amount=(sold * rate).quantize(Decimal("0.01")),
                    bought_currency=Currency.UAH,
                    on=town.today - datetime.timedelta(days=20),
                    reference=f"FX-{fund.pk}-{currency}",
                )

    north = town.places["hub-north"]
    today = town.today
    items = {
        i.code: i
        for i in Item.objects.filter(
            code__in=[
                "tourniquet",
                "haemostatic-gauze",
                "power-bank",
                "baby-formula",
                "warm-clothing",
            ]
        )
    }

    expiry = today + datetime.timedelta(days=120)

    def spend(fund: Fund, actor: User, days: int, **fields: Any) -> Any:
        expense, _created = services.record_expense(
            actor,
            fund,
            spent_on=today - datetime.timedelta(days=days),
            confirm_overspend=True,
            **fields,
        )
        return expense

    spend(
        hq_fund, hub_user, 12,
        amount=Decimal("36000.00"), currency=Currency.UAH, payee="ФОП Тактична медицина",
        purpose="Турнікети для лікарні", category="medical", earmark_need=tourniquets,
        receipt=_receipt("Турнікет SICH × 40 = 36 000,00 грн"),
        purchases=[services.PurchaseIn(items["tourniquet"], Decimal(40), north)],
    )  # fmt: skip
    spend(
        hq_fund, hub_user, 10,
        amount=Decimal("27500.00"), currency=Currency.UAH, payee="ТОВ «Медтехніка»",
        purpose="Гемостатичні бинти", category="medical", earmark_need=gauze,
        receipt=_receipt("Гемостатичний бинт × 50 = 27 500,00 грн"),
        purchases=[services.PurchaseIn(items["haemostatic-gauze"], Decimal(50), north, expiry)],
    )  # fmt: skip
    spend(
        hq_fund, hub_user, 8,
        amount=Decimal("16800.00"), currency=Currency.UAH, payee="Магазин «Електроніка»",
        purpose="Павербанки для укриття", category="power", earmark_place=town.places["shelter1"],
        receipt=_receipt("Павербанк 20000 мА·год × 12"),
        purchases=[services.PurchaseIn(items["power-bank"], Decimal(12), north)],
    )  # fmt: skip
    spend(
        hq_fund, hub_user, 6,
        amount=Decimal("420.00"), currency=Currency.EUR, payee="Apotheke am Markt, Przemyśl",
        purpose="Дитяча суміш", category="baby", earmark_category="baby",
        receipt=_receipt("Baby formula × 30 = 420.00 EUR"),
        purchases=[services.PurchaseIn(items["baby-formula"], Decimal(30), north, expiry)],
    )  # fmt: skip
    spend(
        hq_fund, hub_user, 4,
        amount=Decimal("8650.00"), currency=Currency.UAH, payee="АЗС WOG",
        purpose="Пальне для доставок за тиждень", category="transport",
        receipt=_receipt("ДП × 160 л = 8 650,00 грн"),
    )  # fmt: skip
    spend(
        hq_fund, hub_user, 3,
        amount=Decimal("185.40"), currency=Currency.UAH, payee="Банк",
        purpose="Комісія банку за місяць", category="fees",
    )  # fmt: skip
    spend(
        hq_fund,
        hub_user,
        1,
        amount=Decimal("98000.00"),
        currency=Currency.UAH,
        payee="ТОВ «Енергосвіт»",
        purpose="Генератор 10 кВт для пекарні",
        category="power",
        receipt=_receipt("Рахунок-фактура № 311: генератор 10 кВт"),
    )  # fmt: skip
    spend(
        ngo_fund, orgadmin, 9,
        amount=Decimal("14400.00"), currency=Currency.UAH, payee="ФОП Гнатюк",
        purpose="Теплі комплекти для літніх людей", category="clothing", earmark_category="clothing",
        receipt=_receipt("Теплий комплект × 24"),
        purchases=[services.PurchaseIn(items["warm-clothing"], Decimal(24), town.places["ngo-point"])],
    )  # fmt: skip

    _deliver(town, north, "hospital", [("tourniquet", "40"), ("haemostatic-gauze", "50")], "doctor")
    _deliver(town, north, "shelter1", [("power-bank", "12")], "coordinator")

    BankMapping.objects.create(
        organization=town.orgs["hq"],
        bank="ПриватБанк",
        columns={
            "date": "Дата операції",
            "amount": "Сума",
            "currency": "Валюта",
            "reference": "Референс",
            "donor": "Платник",
            "description": "Призначення платежу",
        },
        date_format="%d.%m.%Y",
    )
    return {"funds": 2, "donations": count, "expenses": 8}
