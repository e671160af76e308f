"""The demo town's alerts: a bread distribution in force, a water warning that has expired,
and two screens (the billboard on the square, the TV in the school's shelter). The
templates, the air raid among them, come with the app (migration 0002)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from hromada.alerts import services
from hromada.alerts.models import AlertTemplate, Display
from hromada.core.demo import TOWN, Town


def _publish(town: Town, content: dict, *, at: datetime.datetime) -> None:
    author, approver = town.users["author"], town.users["approver"]
    alert, _created = services.draft_alert(author, organization=town.orgs["civil"], content=content)
    services.submit_alert(author, alert, now=at)
    services.approve_alert(approver, alert, now=at + datetime.timedelta(minutes=4))


def load(town: Town) -> dict[str, int]:
    now = timezone.now().replace(second=0, microsecond=0)
    bread = AlertTemplate.objects.get(code="bread").content(now)
    bread.update(
        headline_uk="Безкоштовна видача хліба на стадіоні",
        headline_en="Free bread at the stadium",
        description_uk="Пекарня «Хлібодар» і волонтерський штаб видають хліб безкоштовно "
        "на стадіоні, вул. Спортивна, 2, щодня з 10:00 до 16:00.",
        description_en="The Khlibodar bakery and the Volunteer HQ hand out bread free of charge "
        "at the stadium, 2 Sportyvna St, every day from 10:00 to 16:00.",
        area_codes=[TOWN],
        area_description="Стадіон, вул. Спортивна, 2",
        circle="50.3045,34.899 0.3",
        expires=now + datetime.timedelta(hours=8),
        contact="+380 50 000 0103",
    )
    _publish(town, bread, at=now - datetime.timedelta(minutes=30))

    yesterday = now - datetime.timedelta(days=1)
    water = AlertTemplate.objects.get(code="water-unsafe").content(yesterday)
    water.update(
        description_uk="Через пошкодження водогону на Київській вода в центрі міста може бути "
        "забруднена.",
        description_en="The water main on Kyivska St is damaged; water in the town centre may be "
        "contaminated.",
        instruction_uk="Пийте лише бутильовану воду або воду, що кипіла щонайменше 3 хвилини.",
        instruction_en="Drink only bottled water or water boiled for at least 3 minutes.",
        area_codes=[TOWN],
        effective=yesterday,
        expires=now - datetime.timedelta(hours=2),
    )
    _publish(town, water, at=yesterday)

    civil = town.orgs["civil"]
    Display.objects.create(
        name="Білборд на Соборній площі",
        organization=civil,
        area=town.areas[TOWN],
        languages=["uk", "en"],
        standing_messages="\n".join(
            [
                "Разом ми — велика сила. Охтирка тримається.",
                "Хліб для укриттів і лікарні — щодня з 7:00, пекарня «Хлібодар».",
                "Почули сирену — йдіть до укриття. Не знімайте і не публікуйте роботу ППО.",
            ]
        ),
        created_by=town.users["author"],
    )
    Display.objects.create(
        name="Телевізор в укритті школи № 5",
        organization=civil,
        area=town.areas[TOWN],
        languages=["uk"],
        standing_messages="Укриття відкрите цілодобово. Вода і ковдри — біля входу.",
        created_by=town.users["author"],
    )
    return {"alerts": 2, "displays": 2}
