# ruff: noqa: E501 -- tables of data, one row a line
"""The demo town's volunteers: 150 people (made up, from a fixed seed), four brigades, a week of
tasks and shifts around the town's places, the custody register, twenty applications from
abroad in every status, and the contact directory.

The demo user ``volunteer`` (Віктор Бондар) is one of them, with shifts; ``hub`` runs the
Volunteer HQ; ``referrer`` is a recruiter abroad who sees counts of his referrals.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from hromada.core.demo import DEMO_PASSWORD, Town
from hromada.core.models import Area, Sensitivity, User
from hromada.volunteers.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    Assignment,
    AvailabilitySlot,
    Condition,
    ContactCard,
    CustodyRecord,
    Desk,
    EquipmentItem,
    PartOfDay,
    Referrer,
    Shift,
    Skill,
    SkillLevel,
    Task,
    Team,
    TeamMember,
    Volunteer,
    VolunteerSkill,
)
from hromada.volunteers.services import merge_slots

SEED = 20220228
HQ_PEOPLE = 120
COUNCIL_PEOPLE = 28  # and two who arrive from abroad: 150 in all

MALE = [
    "Андрій", "Богдан", "Василь", "Віталій", "Володимир", "Дмитро", "Іван", "Ігор", "Микола",
    "Михайло", "Олег", "Олександр", "Павло", "Петро", "Роман", "Сергій", "Степан", "Тарас",
    "Юрій", "Ярослав", "Артем", "Максим", "Назар", "Остап", "Григорій",
]  # fmt: skip
FEMALE = [
    "Анна", "Валентина", "Галина", "Дарина", "Катерина", "Людмила", "Марія", "Наталія",
    "Оксана", "Олена", "Ольга", "Ірина", "Світлана", "Тетяна", "Юлія", "Яна", "Софія",
    "Вікторія", "Лариса", "Христина", "Зоряна", "Надія",
]  # fmt: skip
# Surnames that are the same for women and men.
SURNAMES = [
    "Шевченко", "Бондаренко", "Коваленко", "Ткаченко", "Кравченко", "Олійник", "Шевчук",
    "Поліщук", "Бойко", "Марченко", "Руденко", "Мельничук", "Савчук", "Гончаренко",
    "Литвиненко", "Кравчук", "Ковальчук", "Левченко", "Мазур", "Павленко", "Лисенко",
    "Зінченко", "Гребенюк", "Дорошенко", "Кушнір", "Нестеренко", "Остапчук", "Приходько",
    "Сидоренко", "Ющенко", "Гуменюк", "Білоус", "Карпенко", "Яковенко", "Панченко",
]  # fmt: skip

# Districts of the town, for home areas ("the north district").
DISTRICTS = [
    ("UA59020130010100001", "Північний район", "North District"),
    ("UA59020130010100002", "Центральний район", "Central District"),
    ("UA59020130010100003", "Південний район", "South District"),
]

# skill, weight: how often the town has it
SKILL_WEIGHTS = [
    (Skill.DRIVER, 22), (Skill.MASON, 10), (Skill.ENGINEER, 6), (Skill.TEACHER, 8),
    (Skill.COOK, 12), (Skill.BAKER, 4), (Skill.FIRST_AID, 18), (Skill.NURSE, 5),
    (Skill.MEDIC, 3), (Skill.PARAMEDIC, 3), (Skill.ELECTRICIAN, 6), (Skill.PLUMBER, 4),
    (Skill.IT, 6), (Skill.TRANSLATOR, 4), (Skill.PSYCHOLOGIST, 3), (Skill.LOGISTICS, 9),
    (Skill.OTHER, 5),
]  # fmt: skip

# Weekly patterns people answer with: days x parts of the day.
PATTERNS = [
    (range(7), ["morning", "afternoon"]),
    (range(5), ["evening"]),
    (range(5, 7), ["morning", "afternoon", "evening"]),
    (range(7), ["morning"]),
    (range(7), ["night", "evening"]),
    (range(7), ["morning", "afternoon", "evening"]),
    (range(0, 7, 2), ["morning", "afternoon"]),
    (range(7), ["afternoon", "evening"]),
]


def _phone(rng: random.Random, used: set[str]) -> str:
    while True:
        phone = f"+380{rng.choice(['50', '66', '67', '68', '73', '93', '95', '97', '99'])}{rng.randrange(10**7):07d}"
        if phone not in used:
            used.add(phone)
            return phone


def _person(rng: random.Random) -> str:
    first = rng.choice(MALE if rng.random() < 0.5 else FEMALE)
    return f"{first} {rng.choice(SURNAMES)}"


def _slots(rng: random.Random) -> list[tuple[int, int, int]]:
    days, parts = rng.choice(PATTERNS)
    slots = [(d, *PartOfDay(p).minutes) for d in days for p in parts]
    return merge_slots(slots)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    zone = timezone.get_current_timezone()
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


class _People:
    """The registry as it is built, with who is booked when, so nobody is on two shifts at once."""

    def __init__(self) -> None:
        self.booked: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = {}

    def free(self, volunteer: Volunteer, start: datetime.datetime, end: datetime.datetime) -> bool:
        return all(e <= start or s >= end for s, e in self.booked.get(volunteer.pk, []))

    def book(self, volunteer: Volunteer, start: datetime.datetime, end: datetime.datetime) -> None:
        self.booked.setdefault(volunteer.pk, []).append((start, end))


def _register(town: Town, rng: random.Random) -> dict[str, list[Volunteer]]:
    districts = {code: a for code, a in town.areas.items() if a.level == Area.Level.DISTRICT}
    homes = [*districts.values(), *districts.values(), town.areas["UA59020130170022615"]]
    used: set[str] = set()
    hub = town.users["hub"]
    coordinator = town.users["coordinator"]
    made: dict[str, list[Volunteer]] = {"hq": [], "council": []}
    skills, weights = zip(*SKILL_WEIGHTS, strict=True)
    for org_key, count, recorder in (
        ("hq", HQ_PEOPLE, hub),
        ("council", COUNCIL_PEOPLE, coordinator),
    ):
        for n in range(count):
            demo_user = town.users["volunteer"] if org_key == "hq" and n == 0 else None
            # Three verified van drivers in the north district, free on mornings: the answer
            # to the coordinator's search of the issue.
            van_driver = org_key == "hq" and n in (1, 2, 3)
            name = demo_user.name if demo_user else _person(rng)
            roll = rng.random()
            vetting = (
                Volunteer.Vetting.VERIFIED if demo_user or van_driver or roll < 0.68
                else Volunteer.Vetting.SUSPENDED if roll > 0.96
                else Volunteer.Vetting.UNVERIFIED
            )  # fmt: skip
            vehicle = rng.choices(
                ["", "car", "van", "pickup", "truck", "minibus"], [72, 16, 6, 3, 2, 1]
            )[0]
            if demo_user:
                vehicle = "car"
            if van_driver:
                vehicle = "van"
            signed_up = rng.random() < 0.4
            registered = timezone.now() - datetime.timedelta(
                days=rng.randint(1, 9), hours=rng.randint(0, 23)
            )
            volunteer = Volunteer.objects.create(
                organization=town.orgs[org_key],
                user=demo_user,
                name=name,
                phone=_phone(rng, used),
                languages=["uk"]
                + (["en"] if rng.random() < 0.3 else [])
                + (["pl"] if rng.random() < 0.08 else []),
                home_area=districts["UA59020130010100001"] if van_driver else rng.choice(homes),
                vehicle=vehicle,
                vehicle_seats={"car": 4, "van": 3, "pickup": 2, "truck": 2, "minibus": 16}.get(
                    vehicle
                ),
                vehicle_load_kg={
                    "car": 400,
                    "van": 1500,
                    "pickup": 800,
                    "truck": 5000,
                    "minibus": 800,
                }.get(vehicle),
                vetting=vetting,
                vetted_by=recorder if vetting != Volunteer.Vetting.UNVERIFIED else None,
                vetted_at=registered + datetime.timedelta(days=1)
                if vetting != Volunteer.Vetting.UNVERIFIED
                else None,
                emergency_name=_person(rng) if rng.random() < 0.7 else "",
                emergency_phone=_phone(rng, used) if rng.random() < 0.7 else "",
                consent_at=registered,
                consent_recorded_by=None if signed_up else recorder,
                source=Volunteer.Source.SIGNUP if signed_up else Volunteer.Source.COORDINATOR,
                created_at=registered,
            )
            chosen = (
                {Skill.MASON, Skill.DRIVER, Skill.FIRST_AID}
                if demo_user
                else set(rng.choices(skills, weights, k=rng.choice([1, 1, 2, 2, 3])))
            )
            if vehicle and Skill.DRIVER not in chosen:
                chosen.add(Skill.DRIVER)
            VolunteerSkill.objects.bulk_create(
                VolunteerSkill(
                    volunteer=volunteer,
                    skill=code,
                    level=rng.choice(
                        [
                            SkillLevel.BASIC,
                            SkillLevel.TRAINED,
                            SkillLevel.TRAINED,
                            SkillLevel.PROFESSIONAL,
                        ]
                    ),
                    licence=(["B", "C"] if vehicle in ("truck", "van") else ["B"])
                    if code == Skill.DRIVER
                    else [],
                )
                for code in chosen
            )
            slots = _slots(rng)
            if demo_user:
                slots = merge_slots([(d, 360, 1440) for d in range(7)])
            elif van_driver:
                slots = [(d, 360, 720) for d in range(7)]
            AvailabilitySlot.objects.bulk_create(
                AvailabilitySlot(volunteer=volunteer, weekday=d, start_minute=s, end_minute=e)
                for d, s, e in slots
            )
            made[org_key].append(volunteer)
    return made


TEAMS = [
    ("sandbags", "Бригада «Мішок»", Team.Kind.FORTIFICATION, Skill.MASON, 14),
    ("kitchen", "Кухня укриттів", Team.Kind.KITCHEN, Skill.COOK, 8),
    ("bread", "Хлібний рейс", Team.Kind.TRANSPORT, Skill.DRIVER, 6),
    ("watch", "Нічна варта", Team.Kind.WATCH, Skill.FIRST_AID, 8),
]


def _teams(town: Town, people: list[Volunteer], rng: random.Random) -> dict[str, Team]:
    teams: dict[str, Team] = {}
    taken: set[int] = set()
    skills = {v.pk: {s.skill for s in v.skills.all()} for v in people}
    for key, name, kind, skill, size in TEAMS:
        team = Team.objects.create(
            organization=town.orgs["hq"],
            name=name,
            kind=kind,
            area=town.areas["UA59020130010078409"],
        )
        fitting = [
            v for v in people if skill in skills[v.pk] and v.pk not in taken and v.may_be_assigned
        ]
        others = [v for v in people if v.pk not in taken and v.may_be_assigned and v not in fitting]
        members = fitting[:size] + others[: max(0, size - len(fitting))]
        if key == "sandbags":
            members = [people[0], *[m for m in members if m.pk != people[0].pk]][:size]
        # The demo volunteer is a plain member of the sandbag brigade; its leader is next.
        leader = 1 if key == "sandbags" else 0
        for i, volunteer in enumerate(members):
            role = (
                TeamMember.Role.LEADER if i == leader
                else TeamMember.Role.DEPUTY if i == leader + 1
                else TeamMember.Role.MEMBER
            )  # fmt: skip
            TeamMember.objects.create(team=team, volunteer=volunteer, role=role)
            taken.add(volunteer.pk)
        teams[key] = team
    return teams


# key, title, kind, place, skills, for all, team, start hour, hours, headcount, org
TASKS = [
    ("sandbags", "Наповнити мішки з піском біля школи № 5", Task.Kind.FORTIFICATION, "school", [], False, "sandbags", 8, 4, 12, "hq"),
    ("cook", "Приготувати обід для укриття № 2", Task.Kind.COOKING, "shelter2", [Skill.COOK], False, "kitchen", 10, 4, 4, "hq"),
    ("bread", "Хлібний рейс: пекарня → лікарня й укриття", Task.Kind.DRIVING, "bakery", [Skill.DRIVER], True, "bread", 6, 3, 2, "hq"),
    ("watch", "Нічна варта біля лікарні", Task.Kind.WATCH, "hospital", [Skill.FIRST_AID], False, "watch", 22, 8, 3, "hq"),
    ("sort", "Сортувати допомогу на складі «Північний»", Task.Kind.DISTRIBUTION, "hub-north", [Skill.LOGISTICS], False, None, 9, 6, 6, "hq"),
    ("hand-out", "Видача продуктових наборів на стадіоні", Task.Kind.DISTRIBUTION, "hub-stadium", [], False, None, 10, 6, 5, "hq"),
    ("windows", "Закрити вибиті вікна плівкою на Київській", Task.Kind.REPAIR, "council", [Skill.MASON], False, None, 13, 4, 6, "council"),
]  # fmt: skip


def _shifts(
    town: Town, made: dict[str, list[Volunteer]], teams: dict[str, Team], rng: random.Random
) -> tuple[int, int]:
    now = timezone.now()
    book = _People()
    shifts = assignments = 0
    creator = {"hq": town.users["hub"], "council": town.users["coordinator"]}
    demo_volunteer = made["hq"][0]
    skills = {v.pk: {s.skill for s in v.skills.all()} for v in made["hq"] + made["council"]}
    last_over: Assignment | None = None
    for key, title, kind, place, task_skills, for_all, team, hour, hours, headcount, org in TASKS:
        task = Task.objects.create(
            organization=town.orgs[org], title=title, kind=kind, place=town.places[place],
            team=teams.get(team or ""), skills=[str(x) for x in task_skills], skills_for_all=for_all,
            verified_only=True, created_by=creator[org], created_at=now - datetime.timedelta(days=3),
            description="Рукавиці й лопати на місці. Візьміть воду." if key == "sandbags" else "",
        )  # fmt: skip
        # The three van drivers stay free: they answer the search the coordinator runs.
        spare = {v.pk for v in made["hq"][1:4]}
        pool = [v for v in made[org] if v.is_verified and v.is_active and v.pk not in spare]
        if for_all:
            pool = [v for v in pool if all(s in skills[v.pk] for s in task_skills)]
        pool.sort(key=lambda v: (not (set(task_skills) & skills[v.pk]), rng.random()))
        for offset in range(-2, 6):
            day = town.today + datetime.timedelta(days=offset)
            start = _at(day, hour)
            end = start + datetime.timedelta(hours=hours)
            shift = Shift.objects.create(
                task=task, starts_at=start, ends_at=end, headcount=headcount,
                created_at=now - datetime.timedelta(days=3),
            )  # fmt: skip
            shifts += 1
            # Tomorrow morning's sandbag shift is left short, for the coordinator to fill.
            tomorrow_sandbags = key == "sandbags" and offset == 1
            wanted = (
                headcount if end <= now else max(1, headcount - rng.randint(0, headcount // 2 + 1))
            )
            if tomorrow_sandbags:
                wanted = 4
            people = [v for v in pool if book.free(v, start, end)]
            if key == "sandbags" and offset in (-1, 1) and demo_volunteer in people:
                people.remove(demo_volunteer)
                people.insert(0, demo_volunteer)
            for i, volunteer in enumerate(people[:wanted]):
                book.book(volunteer, start, end)
                row = Assignment(
                    shift=shift, volunteer=volunteer, status=Assignment.Status.CONFIRMED,
                    invited_by=creator[org], responded_at=start - datetime.timedelta(days=1),
                    via_team=task.team, agreed_by_phone=volunteer.user_id is None and i % 2 == 0,
                )  # fmt: skip
                if end <= now:
                    if rng.random() < 0.06 and volunteer is not demo_volunteer:
                        row.status = Assignment.Status.NO_SHOW
                    else:
                        row.checked_in_at = start + datetime.timedelta(minutes=rng.randint(-15, 20))
                        row.checked_out_at = end + datetime.timedelta(minutes=rng.randint(-30, 25))
                        row.checked_in_by = row.checked_out_by = creator[org]
                elif start <= now:
                    row.checked_in_at = start + datetime.timedelta(minutes=rng.randint(-10, 15))
                    row.checked_in_by = creator[org]
                row.save()
                assignments += 1
                if (
                    org == "hq"
                    and end <= now
                    and row.checked_out_at
                    and (last_over is None or end > last_over.shift.ends_at)
                ):
                    last_over = row
            if tomorrow_sandbags:
                # Two more asked and not yet answered.
                for volunteer in [v for v in pool if book.free(v, start, end)][:2]:
                    Assignment.objects.create(
                        shift=shift, volunteer=volunteer, status=Assignment.Status.INVITED,
                        invited_by=creator[org],
                    )  # fmt: skip
                    assignments += 1
            if key == "bread" and offset == 2 and book.free(demo_volunteer, start, end):
                Assignment.objects.create(
                    shift=shift, volunteer=demo_volunteer, status=Assignment.Status.INVITED,
                    invited_by=creator[org],
                )  # fmt: skip
                assignments += 1
    if last_over is not None:
        # Somebody the leader has not seen leave: the "counted back" list is not empty.
        last_over.checked_out_at = None
        last_over.checked_out_by = None
        last_over.save()
    return shifts, assignments


EQUIPMENT = [
    (EquipmentItem.Kind.RADIO, "Рація Motorola DP1400", "R", 10),
    (EquipmentItem.Kind.VEST, "Бронежилет 4 класу", "V", 12),
    (EquipmentItem.Kind.HELMET, "Шолом", "H", 12),
    (EquipmentItem.Kind.FIRST_AID_KIT, "Аптечка IFAK", "K", 8),
    (EquipmentItem.Kind.GENERATOR, "Генератор 3 кВт", "G", 2),
    (EquipmentItem.Kind.VEHICLE, "Фургон «Газель» АХ 1234 ВС", "T", 1),
]


def _custody(
    town: Town, people: list[Volunteer], teams: dict[str, Team], rng: random.Random
) -> int:
    hub = town.users["hub"]
    now = timezone.now()
    holders = [v for v in people if v.may_be_assigned]
    count = 0
    for kind, name, prefix, how_many in EQUIPMENT:
        for n in range(1, how_many + 1):
            item = EquipmentItem.objects.create(
                organization=town.orgs["hq"], kind=kind, name=name, tag=f"HQ-{prefix}{n:03d}",
                condition=rng.choice([Condition.NEW, Condition.GOOD, Condition.GOOD, Condition.WORN]),
                created_at=now - datetime.timedelta(days=8),
            )  # fmt: skip
            count += 1
            issued = now - datetime.timedelta(days=6, hours=rng.randint(0, 12))
            # An earlier hand-over that came back: every item has a history.
            if rng.random() < 0.6:
                back = issued + datetime.timedelta(days=rng.randint(1, 3))
                CustodyRecord.objects.create(
                    item=item, volunteer=rng.choice(holders), issued_at=issued, issued_by=hub,
                    condition_out=item.condition, due_back=back, returned_at=back, received_by=hub,
                    condition_in=item.condition,
                )  # fmt: skip
                issued = back + datetime.timedelta(hours=2)
            if rng.random() < 0.55 or (kind == EquipmentItem.Kind.RADIO and n == 1):
                volunteer = (
                    people[0]
                    if kind == EquipmentItem.Kind.RADIO and n == 1
                    else rng.choice(holders)
                )
                team = teams["bread"] if kind == EquipmentItem.Kind.VEHICLE else None
                CustodyRecord.objects.create(
                    item=item, volunteer=None if team else volunteer, team=team, issued_at=issued,
                    issued_by=hub, condition_out=item.condition,
                    due_back=issued + datetime.timedelta(days=rng.choice([1, 3, 7, 14])),
                )  # fmt: skip
                item.state = EquipmentItem.State.ISSUED
                item.save(update_fields=["state"])
    return count


# name, nationality, residence, form language, languages, skills, status, referred, experience
APPLICANTS = [
    ("Camille Durand", "FR", "FR", "fr", ["fr", "en"], [Skill.NURSE, Skill.FIRST_AID], "submitted", True, "Infirmière aux urgences, 8 ans."),
    ("Lukas Weber", "DE", "DE", "de", ["de", "en"], [Skill.ELECTRICIAN], "submitted", False, "Elektriker, Notstromaggregate."),
    ("Agnieszka Nowak", "PL", "PL", "pl", ["pl", "uk", "en"], [Skill.TRANSLATOR, Skill.LOGISTICS], "submitted", False, "Tłumaczka, logistyka magazynowa."),
    ("James O'Connor", "IE", "GB", "en", ["en"], [Skill.PARAMEDIC], "submitted", True, "Paramedic, 12 years, PHTLS instructor."),
    ("Élodie Martin", "FR", "BE", "fr", ["fr", "nl"], [Skill.PSYCHOLOGIST], "submitted", True, "Psychologue, trauma et enfants."),
    ("Giorgi Beridze", "GE", "GE", "en", ["ka", "en"], [Skill.DRIVER, Skill.MASON], "screening", False, "Truck driver, C+E; builder."),
    ("Marek Kowalski", "PL", "PL", "pl", ["pl", "en"], [Skill.DRIVER], "screening", True, "Kierowca, kategoria C."),
    ("Sophie Lefèvre", "FR", "FR", "fr", ["fr", "en"], [Skill.MEDIC], "screening", True, "Médecin généraliste."),
    ("Thomas Müller", "AT", "AT", "de", ["de"], [Skill.ENGINEER], "screening", False, "Bauingenieur, Statik."),
    ("Emily Clarke", "CA", "CA", "en", ["en", "fr"], [Skill.NURSE], "interview", False, "ICU nurse."),
    ("Jakub Wiśniewski", "PL", "DE", "pl", ["pl", "de"], [Skill.COOK], "interview", True, "Kucharz, kuchnia polowa."),
    ("Antoine Bernard", "FR", "FR", "fr", ["fr"], [Skill.FIRST_AID, Skill.DRIVER], "interview", True, "Sapeur-pompier volontaire."),
    ("Hannah Schmidt", "DE", "DE", "de", ["de", "en"], [Skill.IT], "accepted", False, "Netzwerktechnik, Funk."),
    ("Ole Hansen", "DK", "DK", "en", ["da", "en"], [Skill.PLUMBER], "accepted", False, "Plumber, water systems."),
    ("Julien Petit", "FR", "FR", "fr", ["fr", "en"], [Skill.LOGISTICS], "accepted", True, "Logisticien humanitaire."),
    ("Piotr Zieliński", "PL", "PL", "pl", ["pl", "uk"], [Skill.DRIVER, Skill.MASON], "arrived", True, "Kierowca i murarz."),
    ("Claire Dubois", "FR", "CH", "fr", ["fr", "de", "en"], [Skill.NURSE], "arrived", False, "Infirmière, bloc opératoire."),
    ("Markus Fischer", "DE", "DE", "de", ["de"], [Skill.OTHER], "rejected", False, "Keine Angabe."),
    ("Daniel Moreau", "FR", "FR", "fr", ["fr"], [Skill.OTHER], "rejected", True, "—"),
    ("Lena Novak", "CZ", "CZ", "en", ["cs", "en"], [Skill.TEACHER], "withdrawn", False, "Teacher, children's activities."),
]  # fmt: skip

PATHS = {
    "submitted": [],
    "screening": ["screening"],
    "interview": ["screening", "interview"],
    "accepted": ["screening", "interview", "accepted"],
    "arrived": ["screening", "accepted", "arrived"],
    "rejected": ["screening", "rejected"],
    "withdrawn": ["screening", "withdrawn"],
}
DEMO_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _applications(town: Town, rng: random.Random) -> tuple[int, int]:
    hq, hub = town.orgs["hq"], town.users["hub"]
    referrer_user, _created = User.objects.get_or_create(
        username="referrer", defaults={"name": "Pierre Lambert", "language": "en"}
    )
    if _created:
        referrer_user.set_password(DEMO_PASSWORD)
        referrer_user.save()
    referrer = Referrer.objects.create(
        organization=hq, name="Pierre Lambert (Dijon)", code="LAMBERT-DIJON", user=referrer_user
    )
    Referrer.objects.create(
        organization=hq, name="Związek Ukraińców w Polsce, Kraków", code="KRAKOW-UA"
    )
    now = timezone.now()
    arrived = 0
    for n, (
        name,
        nationality,
        residence,
        lang,
        langs,
        skills,
        status,
        referred,
        experience,
    ) in enumerate(APPLICANTS):
        submitted = now - datetime.timedelta(days=12 - n // 2, hours=rng.randint(0, 20))
        application = Application(
            organization=hq, language=lang, name=name,
            email=name.lower().replace(" ", ".").replace("'", "").replace("é", "e").replace("è", "e")
            .replace("ś", "s").replace("ń", "n").replace("ü", "u") + "@example.org",
            nationality=nationality, residence=residence, languages=langs, skills=[str(x) for x in skills],
            experience=experience, available_from=town.today + datetime.timedelta(days=rng.randint(3, 30)),
            available_until=town.today + datetime.timedelta(days=rng.randint(45, 120)),
            how_heard=Application.HowHeard.REFERRER if referred else rng.choice(
                [Application.HowHeard.EMBASSY, Application.HowHeard.NEWS, Application.HowHeard.SOCIAL]
            ),
            referrer=referrer if referred else None, consent_at=submitted, submitted_at=submitted,
        )  # fmt: skip
        application.set_secret()  # nobody knows it: demo applicants follow nothing
        application.save()
        ApplicationEvent.objects.create(
            application=application, at=submitted, status_to="submitted"
        )
        if n % 3 == 0:
            doc = ApplicationDocument(
                application=application, original_name="passport.pdf", content_type="application/pdf",
                size=len(DEMO_PDF), sha256="", uploaded_at=submitted,
            )  # fmt: skip
            doc.file.save("document", ContentFile(DEMO_PDF), save=False)
            doc.save()
        at, current = submitted, "submitted"
        for step in PATHS[status]:
            at += datetime.timedelta(days=1, hours=rng.randint(1, 10))
            note = "Поговорили по відео; документи в порядку." if step == "interview" else ""
            ApplicationEvent.objects.create(
                application=application, at=min(at, now), actor=None if step == "withdrawn" else hub,
                status_from=current, status_to=step, note=note,
            )  # fmt: skip
            current = step
        application.status = status
        application.reviewer = hub if status != "submitted" else None
        if status == "arrived":
            volunteer = Volunteer.objects.create(
                organization=hq, name=name, email=application.email, languages=langs,
                source=Volunteer.Source.APPLICATION, consent_at=submitted,
                vetting=Volunteer.Vetting.VERIFIED, vetted_by=hub, vetted_at=at,
                note=f"Прибув з-за кордону, заявка {application.reference}.",
            )  # fmt: skip
            for code in skills:
                VolunteerSkill.objects.create(volunteer=volunteer, skill=code)
            AvailabilitySlot.objects.bulk_create(
                AvailabilitySlot(volunteer=volunteer, weekday=d, start_minute=360, end_minute=1080)
                for d in range(7)
            )
            application.volunteer = volunteer
            arrived += 1
        application.save()
    return len(APPLICANTS), arrived


# place key (or None for the organisation), organisation, role, name, phone, hours, sensitivity, audience
CARDS = [
    ("hospital", "hospital", "Черговий лікар", "", "+380500001111", "Цілодобово", Sensitivity.MEMBERS, ContactCard.Audience.EVERYONE),
    ("hospital", "hospital", "Приймальне відділення", "", "+380500001112", "Цілодобово", Sensitivity.PUBLIC, ContactCard.Audience.EVERYONE),
    ("hospital", "hospital", "Головна медсестра", "Людмила Руденко", "+380500001113", "8:00–20:00", Sensitivity.MEMBERS, ContactCard.Audience.COORDINATORS),
    ("shelter1", "council", "Комендант укриття", "Григорій Сидоренко", "+380500001121", "Під час тривоги", Sensitivity.RESTRICTED, ContactCard.Audience.EVERYONE),
    ("shelter2", "council", "Комендант укриття", "Ольга Павленко", "+380500001131", "Під час тривоги", Sensitivity.MEMBERS, ContactCard.Audience.EVERYONE),
    ("school", "council", "Директор школи", "Тетяна Марченко", "+380500001141", "8:00–18:00", Sensitivity.MEMBERS, ContactCard.Audience.EVERYONE),
    ("bakery", "bakery", "Начальник зміни", "Тарас Ткаченко", "+380500000104", "З 4:00", Sensitivity.MEMBERS, ContactCard.Audience.EVERYONE),
    ("hub-north", "hq", "Комірник", "Сергій Кушнір", "+380500001151", "8:00–20:00", Sensitivity.MEMBERS, ContactCard.Audience.EVERYONE),
    ("hub-stadium", "hq", "Видача", "", "+380500001161", "10:00–16:00", Sensitivity.PUBLIC, ContactCard.Audience.EVERYONE),
    ("council", "council", "Гаряча лінія гуманітарного штабу", "", "+380500000100", "8:00–20:00", Sensitivity.PUBLIC, ContactCard.Audience.EVERYONE),
    (None, "hq", "Черговий координатор волонтерів", "Андрій Мельник", "+380500000103", "Цілодобово", Sensitivity.MEMBERS, ContactCard.Audience.COORDINATORS),
    ("ngo-point", "ngo", "Пункт допомоги", "Світлана Гончаренко", "+380500000105", "Вт і Пт, 10:00–14:00", Sensitivity.PUBLIC, ContactCard.Audience.EVERYONE),
]  # fmt: skip


def _cards(town: Town) -> int:
    for i, (place, org, title, name, phone, hours, sensitivity, audience) in enumerate(CARDS):
        ContactCard.objects.create(
            organization=town.orgs[org], place=town.places[place] if place else None, title=title,
            name=name, phone=phone, hours=hours, sensitivity=sensitivity, audience=audience,
            sort_order=10 + i,
        )  # fmt: skip
    return len(CARDS)


def load(town: Town) -> dict[str, Any]:
    rng = random.Random(SEED)  # noqa: S311 -- made-up demo data, repeatable on purpose
    for code, name_uk, name_en in DISTRICTS:
        town.areas[code] = Area.objects.create(
            code=code, name_uk=name_uk, name_en=name_en, level=Area.Level.DISTRICT,
            parent=town.areas["UA59020130010078409"],
        )  # fmt: skip
    Desk.objects.create(organization=town.orgs["hq"], signups_open=True, applications_open=True)
    Desk.objects.create(
        organization=town.orgs["council"], signups_open=True, applications_open=False
    )
    made = _register(town, rng)
    teams = _teams(town, made["hq"], rng)
    shifts, assignments = _shifts(town, made, teams, rng)
    items = _custody(town, made["hq"], teams, rng)
    applications, arrived = _applications(town, rng)
    return {
        "volunteers": len(made["hq"]) + len(made["council"]) + arrived,
        "teams": len(teams),
        "shifts": shifts,
        "assignments": assignments,
        "equipment": items,
        "applications": applications,
        "contact cards": _cards(town),
    }
