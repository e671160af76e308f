import json

import pytest
from openapi_spec_validator import validate

from hromada.core.services import issue_token


def body(response):
    return json.loads(response.content)


@pytest.mark.django_db
def test_the_openapi_document_is_valid_and_the_docs_load_without_a_cdn(client):
    spec = body(client.get("/api/openapi.json"))
    validate(spec)
    assert {"/api/needs", "/api/places", "/api/items", "/api/me"} <= set(spec["paths"])
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "cdn." not in docs.content.decode() and "/static/ninja/" in docs.content.decode()


def test_a_wrong_or_revoked_token_is_refused_even_where_anonymous_callers_are_welcome(
    community, client
):
    for header in ("Bearer hmd_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "hmd_x"):
        response = client.get("/api/needs", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert body(response)["detail"]
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_of_a_deactivated_user_stops_working(community, client):
    _token, raw = issue_token(community.coordinator, "script")
    community.coordinator.is_active = False
    community.coordinator.save()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_me_tells_who_is_calling_and_their_roles(community, client):
    _token, raw = issue_token(community.coordinator, "script")
    data = body(client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}"))
    assert data["username"] == "coordinator"
    assert data["memberships"] == [
        {
            "organization": {
                "id": community.council.pk,
                "name": "Міська рада",
                "kind": "municipality",
            },
            "roles": ["coordinator"],
        }
    ]


def test_a_session_write_without_the_csrf_token_is_refused(community):
    from django.test import Client

    from hromada.core.tests.factories import sign_in

    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, community.coordinator)
    response = browser.post(
        "/api/needs",
        {"place_id": community.shelter.pk, "quantity": "1", "title": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_places_list_only_what_the_caller_may_see(community, client):
    names = {p["name"] for p in body(client.get("/api/places"))["items"]}
    assert names == {"Міська рада", "Лікарня", "Пункт видачі", "Пункт іншої ГО"}
    assert client.get(f"/api/places/{community.shelter.pk}").status_code == 404
    _token, raw = issue_token(community.analyst, "script")
    names = {
        p["name"]
        for p in body(client.get("/api/places", HTTP_AUTHORIZATION=f"Bearer {raw}"))["items"]
    }
    assert {"Укриття № 1", "Школа № 5"} <= names


def test_places_filter_by_area_including_the_areas_below(community, client):
    data = body(client.get("/api/places", {"area": community.village.code}))
    assert {p["name"] for p in data["items"]} == {"Пункт видачі", "Пункт іншої ГО"}
    assert body(client.get("/api/places", {"area": community.oblast.code}))["count"] == 4


def test_the_openapi_document_is_built_once_per_language_not_per_request(db, client, monkeypatch):
    # Building it takes a second or more of CPU: per request, anyone could keep a server busy.
    from hromada.api import api

    monkeypatch.setitem(api.__dict__, "_documents", {})
    built: list[str] = []
    build = api._build_openapi_schema
    monkeypatch.setattr(
        api, "_build_openapi_schema", lambda prefix: built.append(prefix) or build(prefix)
    )
    answers = [
        client.get("/api/openapi.json", HTTP_ACCEPT_LANGUAGE=lang)
        for lang in ("en", "en", "uk", "uk")
    ]
    assert all(a.status_code == 200 for a in answers)
    assert answers[0].json() == answers[1].json()
    assert len(built) == 2  # one per language
