import json
import uuid

import pytest
from django.utils import translation

from hromada.aid.models import Need
from hromada.aid.tests.factories import item, make_need
from hromada.core.services import issue_token

NEEDS = "/api/needs"


@pytest.fixture
def token_client(client):
    """A script's client: a personal token instead of a session."""

    def for_user(user, language="en"):
        _token, raw = issue_token(user, "test script")
        client.defaults.update(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=language)
        return client

    return for_user


def body(response):
    return json.loads(response.content)


def new_need(community, **overrides):
    data = {
        "place_id": community.shelter.pk,
        "item_id": item("bread").pk,
        "quantity": "150",
        "priority": "high",
    }
    data.update(overrides)
    return data


def test_anyone_lists_current_public_needs_with_a_count(community, client):
    make_need(place=community.ward, item=item("insulin"), priority="critical")
    make_need(place=community.shelter)
    response = client.get(NEEDS)
    assert response.status_code == 200
    data = body(response)
    assert data["count"] == 1
    assert data["items"][0]["item"]["code"] == "insulin"
    assert data["items"][0]["place"]["area"]["code"] == community.town.code


def test_the_needs_list_pages_and_filters(community, client):
    for _ in range(5):
        make_need(place=community.ward, priority="low")
    make_need(place=community.ward, item=item("insulin"), priority="critical")
    data = body(client.get(NEEDS, {"limit": 2, "offset": 0}))
    assert (data["count"], len(data["items"]), data["items"][0]["priority"]) == (6, 2, "critical")
    assert body(client.get(NEEDS, {"priority": "critical"}))["count"] == 1
    assert body(client.get(NEEDS, {"q": "інсулін"}))["count"] == 1
    assert body(client.get(NEEDS, {"status": "covered"}))["count"] == 0


def test_the_needs_list_costs_the_same_queries_for_any_page_size(
    community, client, django_assert_num_queries
):
    for _ in range(20):
        make_need(place=community.ward)
    with django_assert_num_queries(
        2
    ):  # count, one page of needs with item, place, area, organisation
        client.get(NEEDS, {"limit": 20})


def test_a_coordinator_posts_a_need_with_a_token(community, token_client):
    client = token_client(community.coordinator)
    response = client.post(NEEDS, new_need(community), content_type="application/json")
    assert response.status_code == 201, response.content
    data = body(response)
    assert (data["unit"], data["status"], data["place"]["id"]) == (
        "loaf",
        "open",
        community.shelter.pk,
    )


def test_a_replayed_post_with_the_same_idempotency_key_creates_one_need(community, token_client):
    client = token_client(community.coordinator)
    key = str(uuid.uuid4())
    first = client.post(
        NEEDS, new_need(community), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )
    again = client.post(
        NEEDS, new_need(community), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert body(first)["id"] == body(again)["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Need.objects.count() == 1


def test_someone_elses_idempotency_key_is_a_conflict(community, token_client):
    key = str(uuid.uuid4())
    token_client(community.coordinator).post(
        NEEDS, new_need(community), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )
    other = token_client(community.org_admin)
    response = other.post(
        NEEDS, new_need(community), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-1"}, "quantity"),
        ({"quantity": "lots"}, "quantity"),
        ({"quantity": "123456789012345"}, "quantity"),
        ({"item_id": 999999}, "item_id"),
        ({"item_id": None, "title": ""}, "item"),
        ({"place_id": 999999}, "place_id"),
        ({"needed_by": "2022-02-28"}, "needed_by"),
        ({"needed_by": "tomorrow"}, "needed_by"),
        ({"priority": "urgent"}, "priority"),
        ({"note": "x" * 2001}, "note"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_gets_422_with_field_errors_and_nothing_is_saved(
    community, token_client, overrides, field
):
    response = token_client(community.coordinator).post(
        NEEDS, new_need(community, **overrides), content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert field in body(response)["errors"], body(response)
    assert not Need.objects.exists()


def test_a_missing_field_and_malformed_json_are_explained(community, token_client):
    client = token_client(community.coordinator)
    data = new_need(community)
    del data["quantity"]
    assert body(client.post(NEEDS, data, content_type="application/json"))["errors"][
        "quantity"
    ] == ["This field is required."]
    response = client.post(NEEDS, "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/json")


def test_errors_come_in_the_callers_language(community, token_client):
    client = token_client(community.coordinator, language="uk")
    with translation.override("uk"):
        past, positive = (
            translation.gettext("This date is in the past."),
            translation.gettext("Must be greater than %(n)s."),
        )
    assert past != "This date is in the past."
    response = client.post(
        NEEDS, new_need(community, needed_by="2022-02-28"), content_type="application/json"
    )
    assert body(response)["errors"]["needed_by"] == [past]
    response = client.post(
        NEEDS, new_need(community, quantity="0"), content_type="application/json"
    )
    assert body(response)["errors"]["quantity"] == [positive % {"n": 0}]


def test_a_malformed_idempotency_key_is_a_field_error(community, token_client):
    response = token_client(community.coordinator).post(
        NEEDS,
        new_need(community),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="no spaces allowed",
    )
    assert response.status_code == 422
    assert "idempotency_key" in body(response)["errors"]


def test_ten_megabytes_of_note_are_refused_before_they_are_read(community, token_client):
    response = token_client(community.coordinator).post(
        NEEDS, new_need(community, note="x" * 10_000_000), content_type="application/json"
    )
    assert response.status_code == 413
    assert body(response)["detail"]
    assert not Need.objects.exists()


def test_posting_at_another_organisations_place_is_403(community, token_client):
    response = token_client(community.volunteer).post(
        NEEDS, new_need(community, place_id=community.hub.pk), content_type="application/json"
    )
    assert response.status_code == 403
    response = token_client(community.coordinator).post(
        NEEDS, new_need(community, place_id=community.ward.pk), content_type="application/json"
    )
    assert response.status_code == 403
    assert not Need.objects.exists()


def test_a_place_the_caller_may_not_see_is_unknown_not_forbidden(community, token_client):
    response = token_client(community.volunteer).post(
        NEEDS, new_need(community, place_id=community.shelter.pk), content_type="application/json"
    )
    assert response.status_code == 422
    assert "place_id" in body(response)["errors"]


def test_patch_changes_only_what_is_sent(community, token_client):
    need = make_need(place=community.shelter, note="Зранку")
    client = token_client(community.coordinator)
    response = client.patch(
        f"{NEEDS}/{need.pk}", {"quantity_covered": "40"}, content_type="application/json"
    )
    assert response.status_code == 200
    data = body(response)
    assert (data["status"], data["note"], data["shortfall"]) == (
        "partly_covered",
        "Зранку",
        "60.000",
    )
    response = client.patch(
        f"{NEEDS}/{need.pk}", {"quantity": None}, content_type="application/json"
    )
    assert response.status_code == 422


def test_close_then_the_need_leaves_the_list(community, token_client):
    need = make_need(place=community.ward)
    client = token_client(community.doctor)
    response = client.post(
        f"{NEEDS}/{need.pk}/close", {"status": "cancelled"}, content_type="application/json"
    )
    assert body(response)["status"] == "cancelled"
    assert body(client.get(NEEDS))["count"] == 0
    response = client.post(
        f"{NEEDS}/{need.pk}/close", {"status": "open"}, content_type="application/json"
    )
    assert response.status_code == 422


def test_needs_the_caller_may_not_see_are_404(community, client, token_client):
    hidden = make_need(place=community.shelter)
    assert client.get(f"{NEEDS}/{hidden.pk}").status_code == 404
    assert client.get(f"{NEEDS}/not-a-number").status_code == 422
    assert token_client(community.coordinator).get(f"{NEEDS}/{hidden.pk}").status_code == 200


@pytest.mark.django_db
def test_items_are_listed_in_both_languages(client):
    data = body(client.get("/api/items", {"category": "medicine"}))
    insulin = next(i for i in data if i["code"] == "insulin")
    assert (insulin["name_uk"], insulin["name_en"]) == ("Інсулін", "Insulin")
    assert len(body(client.get("/api/items"))) >= 80


# Found by the API fuzz test (tests/test_api_fuzz.py).


@pytest.mark.parametrize(
    "query", ["offset=186405174092353290413015040", "limit=10000000000000000000"]
)
def test_a_page_far_past_any_list_is_refused_not_a_crash(community, as_user, query):
    make_need(place=community.ward)

    response = as_user(community.anonymous).get(f"{NEEDS}?{query}")

    assert response.status_code == 422  # was 500: the database cannot hold such an offset
    assert set(body(response)["errors"]) & {"offset", "limit"}


def test_a_recurring_needs_time_is_documented_as_the_wall_clock_time_it_is():
    from hromada.api import api

    schema = api.get_openapi_schema()["components"]["schemas"]["RecurringOut"]

    # "08:00:00" is what the API sends; JSON Schema's "time" would demand an offset ("08:00:00Z")
    assert schema["properties"]["at"]["format"] == "partial-time"
