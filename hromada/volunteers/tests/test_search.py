"""The search a coordinator runs at night: "verified drivers with a van, free tomorrow
morning, in the north district"."""

import datetime

import pytest
from django.utils import timezone

from hromada.core.tests.factories import make_area
from hromada.volunteers import selectors
from hromada.volunteers.models import Skill, Volunteer
from hromada.volunteers.tests.factories import (
    make_assignment,
    make_shift,
    make_task,
    make_volunteer,
    tomorrow_at,
)

MORNINGS = [(day, 360, 720) for day in range(7)]
EVENINGS = [(day, 1080, 1440) for day in range(7)]
DRIVER_C = (Skill.DRIVER, 2, ["B", "C"])


@pytest.fixture
def people(town):
    north = make_area(
        code="UA59020130010100001",
        name_uk="Північний",
        name_en="North",
        parent=town.town,
        level="district",
    )
    south = make_area(
        code="UA59020130010100003",
        name_uk="Південний",
        name_en="South",
        parent=town.town,
        level="district",
    )
    van = {"vehicle": "van", "vehicle_seats": 3, "availability": MORNINGS, "skills": [DRIVER_C]}
    p = {
        "match": make_volunteer(organization=town.hq, name="Андрій Збіг", home_area=north, **van),
        "unverified": make_volunteer(
            organization=town.hq, home_area=north, vetting="unverified", **van
        ),
        "car": make_volunteer(organization=town.hq, home_area=north, **{**van, "vehicle": "car"}),
        "south": make_volunteer(organization=town.hq, home_area=south, **van),
        "evenings": make_volunteer(
            organization=town.hq, home_area=north, **{**van, "availability": EVENINGS}
        ),
        "busy": make_volunteer(organization=town.hq, home_area=north, **van),
        "no licence": make_volunteer(
            organization=town.hq, home_area=north, **{**van, "skills": [Skill.COOK]}
        ),
        "other org": make_volunteer(organization=town.council, home_area=north, **van),
    }
    busy_shift = make_shift(task=make_task(organization=town.hq), starts_at=tomorrow_at(9))
    make_assignment(shift=busy_shift, volunteer=p["busy"])
    return {"north": north, **p}


def search(user, **filters):
    return list(selectors.search_volunteers(user, selectors.VolunteerFilters(**filters)))


def tomorrow_morning():
    return selectors.window_for(timezone.localdate() + datetime.timedelta(days=1), "morning")


def test_verified_drivers_with_a_van_free_tomorrow_morning_in_the_north_district(town, people):
    start, end = tomorrow_morning()
    found = search(
        town.hq_coordinator, skill=Skill.DRIVER, vehicle="van", vetting="verified",
        area=people["north"].code, free_from=start, free_until=end,
    )  # fmt: skip
    assert found == [people["match"]]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"skill": Skill.COOK}, {"no licence"}),
        ({"licence": "C"}, {"match", "unverified", "car", "south", "evenings", "busy"}),
        ({"licence": "D"}, set()),
        ({"skill": Skill.DRIVER, "level": 3}, set()),
        ({"vehicle": "car"}, {"car"}),
        ({"vehicle": "any", "vetting": "unverified"}, {"unverified"}),
        ({"q": "збіг"}, {"match"}),
    ],
)
def test_each_filter_narrows_the_list(town, people, filters, expected):
    names = {key for key, v in people.items() if isinstance(v, Volunteer)}
    found = {key for key in names if people[key] in search(town.hq_coordinator, **filters)}
    assert found == expected


def test_free_means_available_by_their_week_and_on_no_other_shift(town, people):
    start, end = tomorrow_morning()
    found = set(search(town.hq_coordinator, free_from=start, free_until=end))
    assert people["busy"] not in found and people["evenings"] not in found
    assert people["match"] in found and town.me in found  # the fixture's volunteer is free always


def test_a_night_watch_needs_both_evening_and_early_morning(town):
    evening_only = make_volunteer(organization=town.hq, availability=EVENINGS)
    all_night = make_volunteer(
        organization=town.hq, availability=[*EVENINGS, *[(d, 0, 360) for d in range(7)]]
    )
    start = tomorrow_at(22)
    found = search(
        town.hq_coordinator, free_from=start, free_until=start + datetime.timedelta(hours=8)
    )
    assert all_night in found and evening_only not in found


def test_coordinators_search_only_their_own_organisation(town, people):
    assert search(town.coordinator, vehicle="van") == [people["other org"]]
    assert search(town.volunteer) == []


def test_the_search_page_costs_the_same_queries_for_eight_people_or_forty(
    town, people, as_user, django_assert_num_queries
):
    client = as_user(town.hq_coordinator)
    query = {
        "skill": "driver",
        "vetting": "verified",
        "day": tomorrow_at(8).date().isoformat(),
        "part": "morning",
    }
    for _ in range(32):
        make_volunteer(organization=town.hq, skills=[DRIVER_C], availability=MORNINGS)
    # session, user, roles; the form's areas (places' paths, areas) and teams; count; the
    # audit event; the menu (own profile? referrer?); the page of volunteers, their skills
    with django_assert_num_queries(13):  # +1: the session's second factor
        response = client.get("/volunteers/people/", query)
    assert response.context["page"].paginator.count == 35  # the 32, the match, car and south


def test_the_search_api_costs_the_same_queries_for_any_page_size(
    town, people, as_user, django_assert_num_queries
):
    client = as_user(town.hq_coordinator)
    for _ in range(30):
        make_volunteer(organization=town.hq, skills=[DRIVER_C])
    # session, user, roles, count, page, skills, availability, audit event
    with django_assert_num_queries(9):  # +1: the session's second factor
        response = client.get("/api/volunteers", {"skill": "driver", "limit": 40})
    assert response.json()["count"] == 36  # the 30 and the fixture's six drivers


def test_a_shifts_candidates_meet_its_rules_skills_first(town, people):
    task = make_task(organization=town.hq, skills=[Skill.DRIVER], place=town.hub)
    shift = make_shift(task=task, starts_at=tomorrow_at(8))
    found = selectors.candidates_for(shift, town.hq_coordinator)
    assert people["unverified"] not in found and people["busy"] not in found
    assert people["evenings"] not in found
    assert found.index(people["match"]) < found.index(town.me)  # the driver first
    everyone = selectors.candidates_for(shift, town.hq_coordinator, everyone=True)
    assert people["evenings"] in everyone
