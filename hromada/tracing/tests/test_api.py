import json
import uuid

import pytest
from django.test import override_settings

from hromada.core.models import AuditEvent
from hromada.tracing.models import Inquiry, PersonRecord
from hromada.tracing.tests.factories import make_inquiry, make_record

SEARCH = "/api/tracing/search"


def body(response):
    return json.loads(response.content)


@pytest.fixture
def story(community):
    return (
        make_record(
            family_name="Шевченко", given_name="Олександр", patronymic="Петрович", birth_year=1987
        ),
        make_record(family_name="Шевченко", given_name="Александр", source="shelter_registry"),
        make_record(family_name="Ткаченко", given_name="Олена", birth_year=1944),
    )


def test_a_caseworkers_token_searches_ranked_records_with_ids_and_scores(
    community, story, token_client
):
    client = token_client(community.caseworker)
    response = client.get(SEARCH, {"q": "Oleksandr Shevchenko", "birth_year": 1987, "limit": 10})
    assert response.status_code == 200
    hits = body(response)
    assert [h["id"] for h in hits[:2]] == [story[0].pk, story[1].pk]
    assert hits[0]["score"] > hits[1]["score"] > 0
    assert any("1987" in reason for reason in hits[0]["reasons"])
    assert AuditEvent.objects.get(action="tracing.searched").actor == community.caseworker


@pytest.mark.parametrize("persona", ["volunteer", "analyst"])
def test_a_volunteer_or_analyst_cannot_search(community, story, token_client, persona):
    response = token_client(getattr(community, persona)).get(SEARCH, {"q": "Shevchenko"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="tracing.searched").exists()


def test_there_is_no_anonymous_search(community, story, client):
    assert client.get(SEARCH, {"q": "Shevchenko"}).status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [({"q": "a"}, "q"), ({}, "q"), ({"q": "Shevchenko", "birth_year": "soon"}, "birth_year"),
     ({"q": "Shevchenko", "limit": 500}, "limit"), ({"q": "Shevchenko", "sex": "x"}, "sex"),
     ({"q": "!!", "birth_year": 1987}, "q")],
)  # fmt: skip
def test_wrong_search_input_gets_field_errors(community, story, token_client, query, field):
    response = token_client(community.caseworker).get(SEARCH, query)
    assert response.status_code == 422, response.content
    assert field in body(response)["errors"]


@override_settings(TRACING_SEARCHES_PER_MINUTE=2)
def test_too_many_searches_get_429(community, story, token_client):
    client = token_client(community.caseworker)
    for _ in range(2):
        assert client.get(SEARCH, {"q": "Shevchenko"}).status_code == 200
    response = client.get(SEARCH, {"q": "Shevchenko"})
    assert response.status_code == 429 and "Too many searches" in body(response)["detail"]


def test_anyone_files_an_inquiry_and_gets_only_a_reference(community, story, client):
    key = str(uuid.uuid4())
    payload = {"family_name": "Shevchenko", "given_name": "Oleksandr", "birth_year": 1987,
               "inquirer_name": "Maria", "inquirer_contact": "+1 416 555 0101"}  # fmt: skip
    first = client.post("/api/tracing/inquiries", payload, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=key)  # fmt: skip
    again = client.post("/api/tracing/inquiries", payload, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY=key)  # fmt: skip
    assert first.status_code == 201 and set(body(first)) == {"reference", "message"}
    assert body(first)["reference"] == body(again)["reference"] == Inquiry.objects.get().reference
    assert (
        "Шевченко" not in first.content.decode()
        and str(story[0].pk) not in body(first)["reference"]
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"family_name": "X"}, "inquirer_name"), ({"inquirer_name": "A", "inquirer_contact": "B"}, "family_name"),
     ({"inquirer_name": "A", "inquirer_contact": "B", "family_name": "X", "birth_year": 1800}, "birth_year"),
     ({"inquirer_name": "A", "inquirer_contact": "B", "family_name": "X", "secret": 1}, "secret")],
)  # fmt: skip
def test_a_wrong_inquiry_gets_field_errors_and_files_nothing(community, client, payload, field):
    response = client.post("/api/tracing/inquiries", payload, content_type="application/json")
    assert response.status_code == 422 and field in body(response)["errors"]
    assert not Inquiry.objects.exists() and not PersonRecord.objects.exists()


def test_reading_a_record_by_api_is_audited_and_hidden_from_others(community, story, token_client):
    record = story[0]
    assert (
        token_client(community.volunteer).get(f"/api/tracing/records/{record.pk}").status_code
        == 404
    )
    response = token_client(community.caseworker).get(f"/api/tracing/records/{record.pk}")
    assert body(response)["family_name"] == "Шевченко"
    assert (
        AuditEvent.objects.filter(action="tracing.record.viewed", object_id=str(record.pk)).count()
        == 1
    )


def test_confirm_then_disclose_through_the_api(community, story, token_client):
    client = token_client(community.caseworker)
    inquiry = make_inquiry()
    matches = body(client.get("/api/tracing/matches"))["items"]
    match = next(m for m in matches if m["right_id"] == story[0].pk)
    confirmed = client.post(
        f"/api/tracing/matches/{match['id']}/confirm", {}, content_type="application/json"
    )
    assert body(confirmed)["status"] == "confirmed"
    refused = client.post(f"/api/tracing/inquiries/{inquiry.pk}/disclosures",
                          {"what": "location", "recipient": "Maria", "basis": "consent"},
                          content_type="application/json")  # fmt: skip
    assert refused.status_code == 422  # not asked yet
    told = client.post(f"/api/tracing/inquiries/{inquiry.pk}/disclosures",
                       {"what": "status", "recipient": "Maria", "basis": "consent"},
                       content_type="application/json")  # fmt: skip
    assert told.status_code == 201 and body(told)["record_id"] == story[0].pk


def test_a_record_is_created_once_per_idempotency_key(community, token_client):
    client = token_client(community.caseworker)
    key = str(uuid.uuid4())
    payload = {"family_name": "Мельник", "given_name": "Петро", "status": "alive"}
    for _ in range(2):
        response = client.post("/api/tracing/records", payload, content_type="application/json",
                               HTTP_IDEMPOTENCY_KEY=key)  # fmt: skip
        assert response.status_code == 201
    assert PersonRecord.objects.count() == 1
    assert body(client.get(SEARCH, {"q": "Melnyk Petro"}))[0]["family_name"] == "Мельник"


def test_the_inquiries_list_costs_two_queries(community, token_client, django_assert_num_queries):
    client = token_client(community.caseworker)
    for _ in range(4):
        make_inquiry(family_name="Melnyk")
    client.get("/api/tracing/inquiries")  # token look-up warmed
    # token, user's roles, count, page of inquiries with their sought records
    with django_assert_num_queries(4):
        client.get("/api/tracing/inquiries")
