"""The JSON API: the same rules as the pages, with clear errors for wrong input."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from hromada.core.services import issue_token
from hromada.reports import metrics, services
from hromada.reports.models import Claim, Incident, MediaItem, Sitrep
from hromada.reports.tests.factories import (
    at,
    make_claim,
    make_document,
    make_incident,
    make_media,
    make_sitrep,
    picture,
)


@pytest.fixture
def token_client(client):
    def for_user(user, language="en"):
        _token, raw = issue_token(user, "test script")
        client.defaults.update(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=language)
        return client

    return for_user


def body(response):
    return json.loads(response.content)


def post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def test_an_analyst_records_figures_by_script_and_a_replay_records_them_once(
    community, sources, token_client
):
    client = token_client(community.analyst)
    document = make_document(community.analyst, sources.ohchr)
    data = {"document_id": document.pk, "metric": metrics.CASUALTIES, "words": "at least 240 casualties "
            "including 64 dead", "as_of": "2022-02-26T00:00:00+02:00", "basis": "verified_records"}  # fmt: skip
    key = str(uuid.uuid4())

    first = post(client, "/api/reports/claims", data, HTTP_IDEMPOTENCY_KEY=key)
    again = post(client, "/api/reports/claims", data, HTTP_IDEMPOTENCY_KEY=key)

    assert first.status_code == again.status_code == 201
    assert body(first)["id"] == body(again)["id"] and again["Idempotent-Replayed"] == "true"
    assert (body(first)["qualifier"], body(first)["low"], body(first)["hxl"]) == (
        "at_least", 240, "#affected+casualties",
    )  # fmt: skip
    assert Claim.objects.count() == 2
    listed = body(client.get("/api/reports/claims", {"document": document.pk}))
    assert listed["count"] == 2


def test_a_figure_may_be_given_as_values_instead_of_words(community, sources, token_client):
    document = make_document(community.analyst, sources.unhcr)
    response = post(
        token_client(community.analyst), "/api/reports/claims",
        {"document_id": document.pk, "metric": metrics.REFUGEES_FLED, "qualifier": "more_than",
         "low": 500000, "best": 500000, "as_of": "2022-02-28T12:00:00+02:00", "basis": "documented_count"},
    )  # fmt: skip
    assert response.status_code == 201 and body(response)["area"] == "UA"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"metric": "civilians_eaten"}, "metric"),
        ({"words": "plenty"}, "value_text"),
        ({"words": ""}, "words"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"as_of": "2031-01-01T00:00:00+02:00"}, "as_of"),
        ({"area": "UA00000000000000000"}, "area"),
        ({"party": "ru"}, "party"),
        ({"metric": metrics.COMBATANTS_KILLED}, "party"),
        ({"basis": "rumour"}, "basis"),
        ({"document_id": 999999}, "document_id"),
        ({"incident": "20220228-ZZZZ"}, "incident"),
        ({"unknown_field": 1}, "unknown_field"),
        ({"low": -5, "words": ""}, "low"),
    ],
)
def test_a_wrong_figure_gets_422_with_the_field_named(
    community, sources, token_client, change, field
):
    document = make_document(community.analyst, sources.town)
    data = {"document_id": document.pk, "metric": metrics.KILLED, "words": "28",
            "as_of": "2022-02-28T18:00:00+02:00", "basis": "documented_count"}  # fmt: skip
    data.update(change)
    response = post(token_client(community.analyst), "/api/reports/claims", data)
    assert response.status_code == 422, response.content
    assert field in body(response)["errors"]
    assert not Claim.objects.exists()


def test_errors_come_in_the_callers_language(community, sources, token_client):
    document = make_document(community.analyst, sources.town)
    response = post(
        token_client(community.analyst, language="uk"), "/api/reports/claims",
        {"document_id": document.pk, "metric": metrics.KILLED, "words": "",
         "as_of": "2022-02-28T18:00:00+02:00", "basis": "documented_count"},
    )  # fmt: skip
    with translation.override("uk"):
        expected = translation.gettext("Give the figure in words, or a qualifier and values.")
    assert body(response)["errors"]["words"] == [expected]


def test_a_malformed_body_is_refused_clearly_not_a_crash(community, token_client):
    client = token_client(community.analyst)
    broken = client.post("/api/reports/claims", "{not json", content_type="application/json")
    assert broken.status_code == 400 and body(broken)["detail"]
    for payload in ("[]", json.dumps({"document_id": "one"})):
        response = client.post("/api/reports/claims", payload, content_type="application/json")
        assert response.status_code == 422, payload


def test_the_public_api_shows_published_incidents_with_blurred_places(community, client):
    published = make_incident(community.analyst, area=community.town, latitude="50.308123")
    make_incident(community.analyst, area=community.town, publish=False)
    data = body(client.get("/api/reports/incidents"))
    assert data["count"] == 1
    [item] = data["items"]
    assert item["code"] == published.code and item["latitude"] != 50.308123
    assert item["coordinates_within_m"] >= 250 and item["reporter_contact"] is None


def test_an_incident_reported_by_api_waits_for_review(community, client):
    response = post(
        client, "/api/reports/incidents",
        {"kind": "shelling", "occurred_earliest": "2022-02-28T06:00:00+02:00",
         "occurred_latest": "2022-02-28T07:00:00+02:00", "area": community.town.code,
         "latitude": "50.3", "longitude": "34.9", "infrastructure": ["homes"]},
    )  # fmt: skip
    assert response.status_code == 201
    incident = Incident.objects.get()
    assert incident.status == "reported"
    assert (
        client.get(f"/api/reports/incidents/{incident.code}").status_code == 404
    )  # not yet public


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"occurred_latest": "2022-02-27T00:00:00+02:00"}, "occurred_latest"),
        ({"latitude": "50.3", "longitude": None}, "latitude"),
        ({"latitude": "91"}, "latitude"),
        ({"area": "UA"}, "area"),
        ({"infrastructure": ["castles"]}, "infrastructure"),
        ({"public_blur_m": 10}, "public_blur_m"),
    ],
)
def test_a_wrong_incident_report_gets_422(community, client, change, field):
    data = {"kind": "shelling", "occurred_earliest": "2022-02-28T06:00:00+02:00",
            "occurred_latest": "2022-02-28T07:00:00+02:00", "area": community.town.code}  # fmt: skip
    data.update(change)
    response = post(client, "/api/reports/incidents", data)
    assert response.status_code == 422 and field in body(response)["errors"], response.content


def test_analysts_review_and_merge_incidents_by_api(community, token_client):
    client = token_client(community.analyst)
    keep = make_incident(community.analyst, area=community.town, publish=False)
    other = make_incident(community.analyst, area=community.town, publish=False)
    assert [
        d["code"] for d in body(client.get(f"/api/reports/incidents/{keep.code}/duplicates"))
    ] == [other.code]
    reviewed = post(
        client,
        f"/api/reports/incidents/{keep.code}/review",
        {"status": "published", "grade": "fair"},
    )
    assert (body(reviewed)["status"], body(reviewed)["grade"]) == ("published", "fair")
    merged = post(client, f"/api/reports/incidents/{keep.code}/merge", {"code": other.code})
    assert body(merged)["aliases"] == [other.code]
    assert body(client.get(f"/api/reports/incidents/{other.code}"))["code"] == keep.code


def test_a_sitrep_goes_through_review_by_api_and_is_frozen(
    community, sources, reviewer, token_client
):
    make_claim(community.analyst, "28", source=sources.town, area=community.town, as_of=at(28, 18))
    author = token_client(community.analyst)
    created = post(
        author,
        "/api/reports/sitreps",
        {"area": community.town.code, "cutoff": "2022-02-28T20:00:00+02:00"},
    )
    assert created.status_code == 201 and body(created)["frozen"] is False
    pk = body(created)["id"]
    assert post(author, f"/api/reports/sitreps/{pk}/submit", {}).status_code == 200
    assert post(author, f"/api/reports/sitreps/{pk}/approve", {}).status_code == 403
    approved = post(token_client(reviewer), f"/api/reports/sitreps/{pk}/approve", {})
    assert body(approved)["frozen"] is True and len(body(approved)["snapshot_sha256"]) == 64
    killed = next(f for f in body(approved)["figures"] if f["metric"] == metrics.KILLED)
    assert killed["headline"] == 28
    assert (
        post(token_client(community.analyst), f"/api/reports/sitreps/{pk}/publish", {}).status_code
        == 200
    )
    assert Sitrep.objects.get().status == "published"


def test_the_reconciliation_api_explains_one_figure(community, sources, token_client):
    make_claim(community.analyst, "102", source=sources.ohchr, basis="verified_records")
    data = body(
        token_client(community.analyst).get(
            "/api/reports/reconciliation",
            {"metric": metrics.KILLED, "cutoff": "2022-02-28T23:00:00+02:00"},
        )
    )
    assert (data["headline"], data["headline_kind"], data["independent"]) == (102, "reference", 1)


def test_a_combatant_reconciliation_must_name_the_party(community, token_client):
    response = token_client(community.analyst).get(
        "/api/reports/reconciliation", {"metric": metrics.COMBATANTS_KILLED}
    )
    assert response.status_code == 422 and "party" in body(response)["errors"]


def test_parse_reads_words_into_a_figure_and_its_parts(community, token_client):
    response = post(token_client(community.volunteer), "/api/reports/figures/parse",
                    {"words": "понад 500 тисяч", "metric": metrics.REFUGEES_FLED})  # fmt: skip
    assert body(response) == [
        {"metric": metrics.REFUGEES_FLED, "qualifier": "more_than", "low": 500000, "best": 500000,
         "high": None, "words": "понад 500 тисяч"},
    ]  # fmt: skip


def test_an_analyst_uploads_a_media_item_and_a_second_analyst_confirms_its_verdict(
    community, reviewer, token_client
):
    client = token_client(community.analyst)
    response = client.post(
        "/api/reports/media",
        {"platform": "telegram", "uploader": "@a", "first_seen_at": "2022-02-28T09:00:00+02:00",
         "file": SimpleUploadedFile("p.jpg", picture(5), content_type="image/jpeg")},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    media = body(response)
    assert media["has_file"] and len(media["phash"]) == 16 and len(media["sha256"]) == 64
    started = post(
        client, f"/api/reports/media/{media['id']}/verifications", {"claimed": "A strike"}
    )
    verification = body(started)["id"]
    assert (
        post(
            client, f"/api/reports/verifications/{verification}/propose", {"status": "false"}
        ).status_code
        == 200
    )
    assert post(client, f"/api/reports/verifications/{verification}/confirm", {}).status_code == 403
    confirmed = post(
        token_client(reviewer), f"/api/reports/verifications/{verification}/confirm", {}
    )
    assert body(confirmed)["status"] == "false"


def test_a_verdict_cannot_be_set_directly(community, token_client):
    media = make_media(community.analyst)
    response = post(token_client(community.analyst), f"/api/reports/media/{media.pk}/verifications",
                    {"claimed": "x", "status": "verified"})  # fmt: skip
    assert response.status_code == 422 and "status" in body(response)["errors"]


def test_media_without_a_link_or_a_file_is_refused(community, token_client):
    response = token_client(community.analyst).post(
        "/api/reports/media", {"platform": "telegram", "first_seen_at": "2022-02-28T09:00:00+02:00"}
    )
    assert response.status_code == 422 and "url" in body(response)["errors"]
    assert not MediaItem.objects.exists()


def test_list_endpoints_cost_the_same_queries_for_any_page_size(
    community, sources, token_client, django_assert_num_queries
):
    for n in range(15):
        make_claim(community.analyst, str(n), source=sources.town, area=community.town)
        make_incident(community.analyst, area=community.town)
    client = token_client(community.analyst)
    client.get("/api/me")  # the token's first use of the minute is written down; not counted
    # token with its user, the user's memberships, count, one page with area, party,
    # incident and document
    with django_assert_num_queries(4):
        client.get("/api/reports/claims", {"limit": 15})
    # token, memberships, count, page of incidents with areas, their aliases
    with django_assert_num_queries(5):
        client.get("/api/reports/incidents", {"limit": 15})


def test_a_sitrep_of_another_organisation_in_draft_is_not_found(community, token_client):
    sitrep = make_sitrep(community.analyst, organization=community.council)
    assert (
        token_client(community.volunteer).get(f"/api/reports/sitreps/{sitrep.pk}").status_code
        == 404
    )
    services.submit_sitrep(community.analyst, sitrep)
    response = post(
        token_client(community.volunteer), f"/api/reports/sitreps/{sitrep.pk}/approve", {}
    )
    assert response.status_code == 404
