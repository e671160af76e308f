"""The brute-force ceiling scores records exactly as the engine does, only over all of them."""

import pytest

from hromada.tracing.names import exhaustive, index
from hromada.tracing.tests.factories import make_record

PEOPLE = [
    ("Шевченко", "Олександр", "Петрович", 1987, "male", "Охтирка"),
    ("Шевченко", "Александр", "", None, "male", ""),
    ("Шевчук", "Олег", "", 1960, "male", "Суми"),
    ("Коваленко", "Олександр", "Іванович", 1987, "male", "Охтирка"),
    ("Ковальська", "Ірина", "Олегівна", 1979, "female", "Київ"),
    ("Kovalska", "Iryna", "", 1980, "female", ""),
    ("Мельник", "Петро", "Миколайович", 1955, "male", "Харків"),
    ("Мельниченко", "Петро", "", 1956, "male", "Лебедин"),
    ("Пасічниченко", "Тарас", "", 1990, "male", "Ромни"),
    ("Бондаренко", "Олена", "Петрівна", 2001, "female", "Суми"),
    ("Бондар", "Alona", "", 2001, "female", "Суми"),
]
QUERIES = [
    index.Query("Oleksandr Shevchenko", birth_year=1987),
    index.Query("Shevchenko Oleksandr Petrovych", birth_year=1988, sex="male"),
    index.Query("Iryna Kowalski", birth_year=1979, sex="female"),
    index.Query("Melnyk Petro", place="Kharkiv"),
    index.Query("Olena Bondarenko", birth_year=2001, sex="female", place="Sumy"),
    index.Query("Pasichnichanko Taras"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.text)
def test_the_ceiling_ranks_as_the_engine_does_when_the_engine_sees_every_record(query):
    for family, given, patronymic, year, sex, place in PEOPLE:
        make_record(family_name=family, given_name=given, patronymic=patronymic,
                    birth_year=year, sex=sex, last_seen_place=place)  # fmt: skip
    engine = index.search(query, limit=5)
    ceiling = exhaustive.load().rank(query, limit=5)
    # The engine leaves out records that share no name with the query; the ceiling ranks
    # them too, below.
    assert engine
    assert [h.record_id for h in engine] == ceiling.record_ids[: len(engine)]
    # The ceiling weighs a query token by every close spelling in the data, the engine by
    # those its keys reach (Melnyk's weight counts Melnytchenko only in the ceiling; the
    # engine finds no spelling for a patronymic, which is never filed): the scores differ
    # a little, the order not.
    assert [h.score for h in engine] == pytest.approx(ceiling.scores[: len(engine)], abs=0.1)
