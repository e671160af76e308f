"""The demo town's tracing: a hospital list, a shelter registry and an evacuation manifest
(imported through the real CSV import), people on two lists under different spellings,
inquiries from abroad in Latin spellings, and one answered inquiry where the found woman
refused to have her whereabouts passed on.

The story to try: inquiry "Oleksandr Shevchenko, born 1987" (from Canada) has the hospital's
"Шевченко Олександр Петрович, 1987" and the shelter's "Александр Шевченко" as candidates.
All people here are made up.
"""

from __future__ import annotations

import csv
import io
import random

from hromada.core.demo import Town
from hromada.tracing import exchange, services
from hromada.tracing.models import (
    Disclosure,
    DisclosureRecord,
    Inquiry,
    Match,
    PersonRecord,
    Source,
)
from hromada.tracing.names.translit import transliterate
from hromada.tracing.population import population, russian_letters, russian_patronymic, variant

SEED = 24022022
PersonRow = tuple[str, str, str, str, int | None, str]

# The story's people, first on their lists. (family, given, patronymic, sex, year, place)
HOSPITAL_STORY: list[PersonRow] = [("Шевченко", "Олександр", "Петрович", "male", 1987, "Охтирка")]
SHELTER_STORY: list[PersonRow] = [("Шевченко", "Александр", "", "male", None, "Охтирка")]
REFUSED: PersonRow = ("Бондаренко", "Ірина", "Василівна", "female", 1979, "Охтирка")

# Inquiries: (inquirer, contact, relationship, country, given, family, patronymic, sex, year,
# place, language)
# fmt: off
INQUIRIES = [
    ("Maria Shevchenko", "+1 416 555 0101", "sister", "Canada",
     "Oleksandr", "Shevchenko", "", "male", 1987, "Okhtyrka", "en"),
    ("Andrzej Bondarenko", "andrzej.b@example.pl", "husband", "Poland",
     "Iryna", "Bondarenko", "", "female", 1979, "Okhtyrka", "en"),
    ("Claire Melnyk", "+33 6 00 00 00 01", "daughter", "France",
     "Volodymyr", "Melnik", "", "male", 1951, "Okhtyrka", "fr"),
    ("Наталья Коваленко", "+7 900 000 0000", "мать", "Россия",
     "Дмитрий", "Коваленко", "Сергеевич", "male", 2001, "Тростянец", "ru"),
    ("Jean Tkachenko", "jean.t@example.fr", "neveu", "France",
     "Olena", "Tkatchenko", "", "female", 1944, "Okhtyrka", "fr"),
    ("Оксана Гнатюк", "@oksana_h", "дочка", "Україна",
     "Петро", "Гнатюк", "Іванович", "male", 1948, "Стара Іванівка", "uk"),
    ("Karl Lysenko", "karl.l@example.de", "Sohn", "Deutschland",
     "Wolodymyr", "Lyssenko", "", "male", 1960, "Ochtyrka", "en"),
]
# fmt: on


def _rows(people: list[PersonRow], source: str, status: str,
          rng: random.Random, prefix: str) -> list[dict[str, str]]:  # fmt: skip
    rows = []
    for n, (family, given, patronymic, sex, year, place) in enumerate(people, start=1):
        rows.append(
            {
                "source_ref": f"{prefix}-{n:04d}",
                "family_name": family,
                "given_name": given,
                "patronymic": patronymic,
                "sex": sex,
                "birth_year": str(year or ""),
                "status": status,
                "last_seen_place": place,
                "current_location": {
                    "hospital_list": "ЦРЛ Охтирка, хірургія",
                    "shelter_registry": "Укриття № 1",
                    "evacuation_manifest": "Lublin, PL",
                }[source],
                "source": source,
                "disclosure": rng.choice(["not_asked", "not_asked", "anyone", "family"]),
            }
        )
        if rows[-1]["disclosure"] == "family":
            rows[-1]["disclosure_to"] = f"{given} {family}"
    return rows


def _csv(rows: list[dict[str, str]]) -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=exchange.COLUMNS)
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(buffer.getvalue().encode("utf-8"))


def load(town: Town) -> dict[str, int]:
    rng = random.Random(SEED)  # noqa: S311
    caseworker = town.users["caseworker"]
    people = population(300, seed=SEED)
    hospital_people = people[:90]
    shelter_people = people[90:210]
    evacuated = people[210:]
    # Duplicates: some hospital patients also in the shelter registry (in Russian forms) and
    # some sheltered people later on the evacuation manifest (in passport spelling).
    shelter_people += hospital_people[:20]
    evacuated += shelter_people[:25]

    hospital: list[PersonRow] = [
        (p.family, p.given, p.patronymic, p.sex, p.birth_year, p.place) for p in hospital_people
    ]
    hospital += HOSPITAL_STORY
    shelter: list[PersonRow] = []
    for p in shelter_people:
        if rng.random() < 0.4:  # written by a Russian-speaking registrar
            shelter.append((russian_letters(p.family), p.forms[1], russian_patronymic(p.patronymic),
                            p.sex, p.birth_year, p.place))  # fmt: skip
        else:
            shelter.append((p.family, p.given, "", p.sex, p.birth_year, p.place))
    shelter += SHELTER_STORY
    shelter.append(REFUSED)
    manifest: list[PersonRow] = [
        (transliterate(p.family), transliterate(p.given), "", p.sex, p.birth_year, p.place)
        for p in evacuated
    ]
    counts = {"person records": 0}
    for source, status, people_rows, prefix in (
        (Source.HOSPITAL, "injured", hospital, "CRL"),
        (Source.SHELTER, "displaced", shelter, "UKR1"),
        (Source.EVACUATION, "displaced", manifest, "EVAC"),
    ):
        result = exchange.import_file(
            _csv(_rows(people_rows, source, status, rng, prefix)),
            fmt="csv",
            actor=caseworker,
            source=source,
            filename=f"{source}.csv",
        )
        counts["person records"] += result.created

    # The refused woman: found in the shelter, asked, and she said no.
    refused = PersonRecord.objects.get(
        family_name=REFUSED[0], given_name=REFUSED[1], source=Source.SHELTER
    )
    services.update_record(
        caseworker, refused, disclosure=Disclosure.REFUSED, status="alive",
        description="Просила нікому не повідомляти, де вона.",
    )  # fmt: skip

    # Combatants reported detained: waiting for transfer to the bureau.
    for n, p in enumerate(people[:3], start=1):
        services.create_record(
            caseworker,
            family_name=p.family if p.sex == "male" else "Руденко",
            given_name=p.given if p.sex == "male" else "Тарас",
            sex="male",
            birth_year=p.birth_year if p.birth_year < 2000 else 1995,
            status="detained",
            is_combatant=True,
            source=Source.FIELD,
            source_ref=f"FR-{n:03d}",
            last_seen_circumstances="Повідомлення родини: потрапив у полон.",
        )

    inquiries = []
    for (who, contact, relation, country, given, family, patronymic, sex, year, place,
         language) in INQUIRIES:  # fmt: skip
        inquiry, _created = services.file_inquiry(
            None,
            inquirer_name=who,
            inquirer_contact=contact,
            inquirer_relationship=relation,
            inquirer_country=country,
            language=language,
            given_name=given,
            family_name=family,
            patronymic=patronymic,
            sex=sex,
            birth_year=year,
            last_seen_place=place,
        )
        inquiries.append(inquiry)
    # More inquiries from abroad for people on the lists, spelt as relatives spell them.
    for p in rng.sample(people[:200], 12):
        v = variant(p, rng)
        first, *rest = v.text.split()
        inquiry, _created = services.file_inquiry(
            None,
            inquirer_name=rng.choice(["Olha", "Marta", "Ivan", "Sophie", "Anna"]) + " " + transliterate(p.family),
            inquirer_contact=f"+48 500 000 {rng.randint(100, 999)}",
            inquirer_relationship=rng.choice(["sister", "son", "mother", "friend"]),
            inquirer_country=rng.choice(["Poland", "Germany", "Canada", "France", "Czechia"]),
            language="en",
            given_name=first,
            family_name=" ".join(rest),
            birth_year=v.birth_year,
        )  # fmt: skip
        inquiries.append(inquiry)
    for inquiry in inquiries:
        services.propose_matches(inquiry)

    # Answered: the husband's inquiry for Iryna Bondarenko. She refused; he is told only
    # that she was found and is safe.
    bondarenko = inquiries[1]
    match = Match.objects.filter(inquiry=bondarenko, right=refused).first()
    if match is not None:
        services.decide_match(caseworker, match, confirm=True, note="Підтвердила особисто.")
        bondarenko.refresh_from_db()
        services.record_disclosure(
            caseworker,
            record=refused,
            inquiry=bondarenko,
            what=DisclosureRecord.What.STATUS,
            recipient=bondarenko.inquirer_name,
            basis=DisclosureRecord.Basis.CONSENT,
            note="Сказали лише, що її знайдено і вона в безпеці; місце не повідомляли.",
        )
    counts["inquiries"] = Inquiry.objects.count()
    counts["proposed matches"] = Match.objects.filter(status=Match.Status.PROPOSED).count()
    return counts
