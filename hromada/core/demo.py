"""A realistic community to try Hromada on: a town of about 50,000 under shelling.

Okhtyrka is the town in the field report. The organisations, people and needs here are
made up; area codes have the shape of KATOTTG codes but are not the official ones.
"""

from __future__ import annotations

import base64
import datetime
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module

from django.db import transaction
from django.utils import timezone

from hromada.core.demo_accounts import DEMO_DEVICE_NAME, DEMO_PASSWORD, DEMO_TOTP_SECRET
from hromada.core.models import Area, Membership, Organization, Place, Role, Sensitivity, User

# username, full name, organisation key, roles (superuser when organisation is None)
USERS = [
    ("admin", "Адміністратор", None, []),
    ("coordinator", "Наталія Коваленко", "council", [Role.COORDINATOR]),
    ("hub", "Андрій Мельник", "hq", [Role.COORDINATOR]),
    ("doctor", "Олена Шевчук", "hospital", [Role.COORDINATOR]),
    ("baker", "Тарас Ткаченко", "bakery", [Role.COORDINATOR]),
    ("volunteer", "Віктор Бондар", "hq", [Role.VOLUNTEER]),
    ("caseworker", "Ірина Кравченко", "ngo", [Role.CASEWORKER]),
    ("analyst", "Максим Олійник", "council", [Role.ANALYST]),
    ("analyst2", "Ірина Мороз", "council", [Role.ANALYST]),
    ("author", "Оксана Лисенко", "civil", [Role.ALERT_AUTHOR]),
    ("approver", "Богдан Савченко", "civil", [Role.ALERT_APPROVER]),
    ("orgadmin", "Світлана Гончаренко", "ngo", [Role.ORG_ADMIN, Role.COORDINATOR]),
]

ROLE_HINTS = {
    "admin": "superuser: everything, and /admin/",
    "coordinator": "coordinator, Okhtyrka City Council (shelters, school)",
    "hub": "coordinator, Volunteer HQ (the two hubs)",
    "doctor": "coordinator, Central District Hospital",
    "baker": "coordinator, Khlibodar bakery",
    "volunteer": "volunteer, Volunteer HQ",
    "caseworker": "caseworker, Kind Hands Foundation",
    "analyst": "analyst, Okhtyrka City Council",
    "analyst2": "analyst, Okhtyrka City Council (approves sitreps)",
    "author": "alert author, Civil Protection Unit",
    "approver": "alert approver, Civil Protection Unit",
    "orgadmin": "organisation admin, Kind Hands Foundation",
}

ORGANIZATIONS = {
    "council": ("Охтирська міська рада", Organization.Kind.MUNICIPALITY, None),
    "hospital": ("Охтирська центральна районна лікарня", Organization.Kind.HOSPITAL, "council"),
    "civil": ("Загін цивільного захисту міськради", Organization.Kind.CIVIL_DEFENCE, "council"),
    "hq": ("Волонтерський штаб Охтирки", Organization.Kind.VOLUNTEER_GROUP, None),
    "ngo": ("БФ «Добрі руки»", Organization.Kind.NGO, None),
    "bakery": ("Пекарня «Хлібодар»", Organization.Kind.BUSINESS, None),
}

# code, Ukrainian, English, level, parent code
AREAS = [
    ("UA59000000000093789", "Сумська область", "Sumy Oblast", Area.Level.OBLAST, None),
    (
        "UA59020000000024719",
        "Охтирський район",
        "Okhtyrka Raion",
        Area.Level.RAION,
        "UA59000000000093789",
    ),
    (
        "UA59020130000040283",
        "Охтирська громада",
        "Okhtyrka Hromada",
        Area.Level.HROMADA,
        "UA59020000000024719",
    ),
    ("UA59020130010078409", "Охтирка", "Okhtyrka", Area.Level.SETTLEMENT, "UA59020130000040283"),
    (
        "UA59020130170022615",
        "Стара Іванівка",
        "Stara Ivanivka",
        Area.Level.SETTLEMENT,
        "UA59020130000040283",
    ),
]
TOWN, VILLAGE = "UA59020130010078409", "UA59020130170022615"

# key, name, kind, organisation, area, address, lat, lon, capacity, sensitivity, opening notes,
# contact
PLACES = [
    (
        "hospital",
        "Центральна районна лікарня",
        Place.Kind.HOSPITAL,
        "hospital",
        TOWN,
        "вул. Лікарняна, 1",
        "50.3121",
        "34.8987",
        240,
        Sensitivity.PUBLIC,
        "Приймальне відділення цілодобово; гуманітарну допомогу приймають "
        "з 9:00 до 17:00, вхід з двору.",
        ("Олена Шевчук", "+380 50 000 0101"),
    ),
    (
        "shelter1",
        "Укриття № 1 (підвал Будинку культури)",
        Place.Kind.BOMB_SHELTER,
        "council",
        TOWN,
        "",
        "50.3069",
        "34.8911",
        250,
        Sensitivity.RESTRICTED,
        "Відкрите під час тривоги.",
        ("Наталія Коваленко", "+380 50 000 0102"),
    ),
    (
        "shelter2",
        "Укриття № 2 (паркінг на Київській)",
        Place.Kind.BOMB_SHELTER,
        "council",
        TOWN,
        "",
        "50.3010",
        "34.9032",
        180,
        Sensitivity.MEMBERS,
        "Відкрите під час тривоги.",
        ("Наталія Коваленко", "+380 50 000 0102"),
    ),
    (
        "school",
        "Школа № 5 (укриття в підвалі)",
        Place.Kind.SCHOOL,
        "council",
        TOWN,
        "вул. Шкільна, 5",
        "50.3158",
        "34.8865",
        300,
        Sensitivity.MEMBERS,
        "Укриття та ночівля для сімей з дітьми.",
        ("Наталія Коваленко", "+380 50 000 0102"),
    ),
    (
        "bakery",
        "Пекарня «Хлібодар»",
        Place.Kind.KITCHEN,
        "bakery",
        TOWN,
        "вул. Незалежності, 12",
        "50.3094",
        "34.8952",
        None,
        Sensitivity.PUBLIC,
        "Пече щодня з 4:00; хліб для укриттів і лікарні видає з 7:00.",
        ("Тарас Ткаченко", "+380 50 000 0104"),
    ),
    (
        "hub-north",
        "Склад «Північний»",
        Place.Kind.HUB,
        "hq",
        TOWN,
        "",
        "50.3232",
        "34.8930",
        None,
        Sensitivity.MEMBERS,
        "Приймання з 8:00 до 20:00.",
        ("Андрій Мельник", "+380 50 000 0103"),
    ),
    (
        "hub-stadium",
        "Пункт видачі на стадіоні",
        Place.Kind.DISTRIBUTION,
        "hq",
        TOWN,
        "вул. Спортивна, 2",
        "50.3045",
        "34.8990",
        None,
        Sensitivity.PUBLIC,
        "Видача з 10:00 до 16:00; приймання речей з 9:00.",
        ("Андрій Мельник", "+380 50 000 0103"),
    ),
    (
        "council",
        "Міська рада (гуманітарний штаб)",
        Place.Kind.OFFICE,
        "council",
        TOWN,
        "пл. Соборна, 3",
        "50.3107",
        "34.8974",
        None,
        Sensitivity.PUBLIC,
        "З 8:00 до 18:00.",
        ("Приймальня", "+380 50 000 0100"),
    ),
    (
        "ngo-point",
        "Пункт допомоги в Старій Іванівці",
        Place.Kind.DISTRIBUTION,
        "ngo",
        VILLAGE,
        "вул. Центральна, 20",
        "50.2800",
        "34.8400",
        None,
        Sensitivity.PUBLIC,
        "Вівторок і п'ятниця, 10:00–14:00.",
        ("Світлана Гончаренко", "+380 50 000 0105"),
    ),
]


@dataclass
class Town:
    """The demo's rows by key, for each app's own ``demo.load(town)``."""

    areas: dict[str, Area]  # by official code
    orgs: dict[str, Organization]  # council, hospital, civil, hq, ngo, bakery
    places: dict[str, Place]  # hospital, shelter1, shelter2, school, bakery, hub-north, ...
    users: dict[str, User]  # by username
    today: datetime.date


# Each app may add its part in hromada/<app>/demo.py: ``load(town) -> dict[str, int]``.
DEMO_APPS = ["aid", "volunteers", "reports", "alerts", "tracing", "funds"]


def is_loaded() -> bool:
    return Organization.objects.filter(name=ORGANIZATIONS["council"][0]).exists()


@transaction.atomic
def load() -> dict[str, int]:
    """Load the demo community. Running it again changes nothing."""
    if is_loaded():
        return {}
    areas: dict[str, Area] = {}
    for code, name_uk, name_en, level, area_parent in AREAS:
        areas[code] = Area.objects.create(
            code=code,
            name_uk=name_uk,
            name_en=name_en,
            level=level,
            parent=areas.get(area_parent or ""),
        )
    orgs: dict[str, Organization] = {}
    for key, (org_name, org_kind, org_parent) in ORGANIZATIONS.items():
        orgs[key] = Organization.objects.create(
            name=org_name, kind=org_kind, parent=orgs.get(org_parent or "")
        )
    places: dict[str, Place] = {}
    for key, name, kind, org, area, address, lat, lon, capacity, sensitivity, notes, (
        contact_name,
        contact_phone,
    ) in PLACES:
        places[key] = Place.objects.create(
            name=name,
            kind=kind,
            organization=orgs[org],
            area=areas[area],
            address=address,
            latitude=Decimal(lat),
            longitude=Decimal(lon),
            capacity=capacity,
            sensitivity=sensitivity,
            opening_notes=notes,
            contact_name=contact_name,
            contact_phone=contact_phone,
        )
    users: dict[str, User] = {}
    for username, full_name, org_key, roles in USERS:
        user = User(
            username=username,
            name=full_name,
            language="uk",
            is_superuser=org_key is None,
            is_staff=org_key is None,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        users[username] = user
        if org_key is not None:
            Membership.objects.create(
                user=user, organization=orgs[org_key], roles=[str(r) for r in roles]
            )
    town = Town(areas=areas, orgs=orgs, places=places, users=users, today=timezone.localdate())
    counts = {
        "areas": len(areas), "organizations": len(orgs), "places": len(places), "users": len(users),
    }  # fmt: skip
    for app in DEMO_APPS:
        try:
            module = import_module(f"hromada.{app}.demo")
        except ModuleNotFoundError as error:
            if error.name not in (f"hromada.{app}", f"hromada.{app}.demo"):
                raise
            continue
        counts.update(module.load(town))
    counts["authenticators"] = _demo_authenticators()
    return counts


def _demo_authenticators() -> int:
    """The published demo key for every demo account that must give a second factor."""
    from hromada.core import two_factor

    key = base64.b32decode(DEMO_TOTP_SECRET).hex()
    installed = 0
    for user in User.objects.order_by("pk"):
        if two_factor.required(user):
            two_factor.install_device(user, key=key, name=DEMO_DEVICE_NAME)
            installed += 1
    return installed


def logins_text() -> str:
    lines = [
        f"Demo logins (password for all: {DEMO_PASSWORD}; accounts marked * also ask for a code",
        f"from an authenticator app with the key {DEMO_TOTP_SECRET},",
        "or print the current one with: hromada demo_code <name>):",
    ]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    coded = set(
        TOTPDevice.objects.filter(name=DEMO_DEVICE_NAME).values_list("user__username", flat=True)
    )
    hints = [(username, ROLE_HINTS[username]) for username, *_ in USERS]
    if User.objects.filter(username="referrer").exists():
        hints.append(
            ("referrer", "recruiter abroad: counts of his referrals (/volunteers/referrals/)")
        )
    if User.objects.filter(username="treasurer").exists():
        hints.append(
            ("treasurer", "organisation admin, Volunteer HQ: approves the HQ fund's large "
             "expenses (/funds/)")
        )  # fmt: skip
    lines += [
        f"  {username + ('*' if username in coded else ''):<12} {hint}" for username, hint in hints
    ]
    return "\n".join(lines)
