"""The JSON API: the same rules as the pages, errors as JSON with a status that means something."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from hromada.alerts.models import Alert
from hromada.alerts.tests.factories import make_draft, published


def body(**overrides) -> dict:
    data = {
        "category": "Security",
        "response_type": "Shelter",
        "severity": "Extreme",
        "expires": (timezone.now() + datetime.timedelta(hours=2)).isoformat(),
        "area_codes": [],
        "area_description": "Охтирка",
        "event_uk": "Повітряна тривога",
        "headline_uk": "Тривога!",
        "event_en": "Air raid",
        "headline_en": "Air raid!",
    }
    data.update(overrides)
    return data


def post(client, url, data=None, **headers):
    return client.post(url, json.dumps(data or {}), content_type="application/json", **headers)


def test_an_author_drafts_submits_and_an_approver_publishes_by_api(community, as_user):
    author = as_user(community.alert_author)
    created = post(
        author,
        "/api/alerts",
        body(area_codes=[community.town.code]),
        HTTP_IDEMPOTENCY_KEY="api-key-0001",
    )
    assert created.status_code == 201, created.content
    alert = created.json()
    assert alert["state"] == "draft" and alert["area_codes"] == [community.town.code]
    assert [i["language"] for i in alert["infos"]] == ["uk", "en"]

    assert post(author, f"/api/alerts/{alert['id']}/submit").json()["state"] == "pending"
    refused = post(author, f"/api/alerts/{alert['id']}/approve")
    assert refused.status_code == 403

    approved = post(as_user(community.alert_approver), f"/api/alerts/{alert['id']}/approve")
    assert approved.status_code == 200 and approved.json()["in_force"] is True
    listed = as_user(community.anonymous).get("/api/alerts").json()
    assert [a["id"] for a in listed["items"]] == [alert["id"]]
    assert listed["items"][0]["cap_url"] == f"/alerts/{alert['id']}/cap.xml"


def test_an_approver_who_wrote_it_gets_a_403_that_says_why(community, as_user):
    from hromada.core.models import Membership

    Membership.objects.filter(user=community.alert_approver).update(
        roles=["alert_author", "alert_approver"]
    )
    client = as_user(community.alert_approver)
    alert = post(client, "/api/alerts", body()).json()
    post(client, f"/api/alerts/{alert['id']}/submit")
    response = post(client, f"/api/alerts/{alert['id']}/approve")
    assert response.status_code == 403 and "two-person rule" in response.json()["detail"]


def test_the_same_key_twice_drafts_once(community, as_user):
    client = as_user(community.alert_author)
    first = post(client, "/api/alerts", body(), HTTP_IDEMPOTENCY_KEY="api-key-0002")
    second = post(client, "/api/alerts", body(), HTTP_IDEMPOTENCY_KEY="api-key-0002")
    assert first.json()["id"] == second.json()["id"] and second["Idempotent-Replayed"] == "true"
    assert Alert.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"polygon": "50.30,34.88 50.32,34.88 50.32,34.91 50.30,34.91"}, "polygon"),
        ({"onset": "2099-01-01T10:00:00+02:00", "expires": "2099-01-01T09:00:00+02:00"}, "expires"),
        ({"headline_en": "]]><evil/><![CDATA["}, "headline_en"),
        ({"description_en": "x" * 5000}, "description_en"),
        ({"severity": "Apocalyptic"}, "severity"),
        ({"colour": "red"}, "colour"),
        ({"area_codes": ["UA-nowhere"]}, "area_codes"),
    ],
)
def test_bad_input_gets_a_422_with_the_field_named(community, as_user, overrides, field):
    response = post(as_user(community.alert_author), "/api/alerts", body(**overrides))
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert not Alert.objects.exists()


def test_a_megabyte_body_gets_a_413(community, as_user):
    response = post(
        as_user(community.alert_author), "/api/alerts", body(description_en="x" * 1_100_000)
    )
    assert response.status_code == 413


def test_a_cancel_follow_up_by_api(community, as_user):
    alert = published(community)
    response = post(
        as_user(community.alert_author), f"/api/alerts/{alert.pk}/follow-up", {"msg_type": "Cancel"}
    )
    assert response.status_code == 201 and response.json()["msg_type"] == "Cancel"
    assert response.json()["references"] == [alert.pk]
    bad = post(
        as_user(community.alert_author), f"/api/alerts/{alert.pk}/follow-up", {"msg_type": "Ack"}
    )
    assert bad.status_code == 422


def test_a_patch_changes_only_a_draft(community, as_user):
    draft = make_draft(author=community.alert_author, organization=community.council)
    client = as_user(community.alert_author)
    response = client.patch(
        f"/api/alerts/{draft.pk}",
        json.dumps({"headline_en": "Shelter now"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert [i["headline"] for i in response.json()["infos"]][1] == "Shelter now"

    live = published(community)
    refused = client.patch(
        f"/api/alerts/{live.pk}", json.dumps({"headline_en": "x"}), content_type="application/json"
    )
    assert refused.status_code == 422 and "can no longer be changed" in refused.content.decode()


def test_volunteers_cannot_draft_and_anonymous_callers_must_sign_in(community, as_user):
    assert post(as_user(community.volunteer), "/api/alerts", body()).status_code == 403
    assert post(as_user(community.anonymous), "/api/alerts", body()).status_code == 401


def test_the_list_filters_by_area_and_costs_a_fixed_number_of_queries(
    community, as_user, django_assert_num_queries
):
    for n in range(4):
        published(community, areas=[community.town], headline_en=f"Town {n}")
    published(community, areas=[community.village], headline_en="Village")
    client = as_user(community.anonymous)
    # area lookup; count; alerts with organisation; infos; their areas; alert areas; references
    with django_assert_num_queries(7):
        response = client.get("/api/alerts", {"area": community.town.code})
    assert response.json()["count"] == 4
    assert client.get("/api/alerts", {"area": "nowhere"}).status_code == 422


def test_staff_list_their_drafts_by_state_and_others_see_none(community, as_user):
    make_draft(author=community.alert_author, organization=community.council)
    assert (
        as_user(community.alert_approver).get("/api/alerts", {"state": "draft"}).json()["count"]
        == 1
    )
    assert as_user(community.volunteer).get("/api/alerts", {"state": "draft"}).json()["count"] == 0


def test_subscribing_by_api_sends_a_confirmation_and_nothing_else(
    community, as_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            as_user(community.anonymous),
            "/api/alert-subscriptions",
            {
                "email": "Resident@Example.org",
                "areas": [community.town.code],
                "categories": ["Security"],
            },
        )
    assert response.status_code == 202
    assert [m.to for m in mailoutbox] == [["resident@example.org"]]
    bad = post(
        as_user(community.anonymous), "/api/alert-subscriptions", {"email": "not-an-address"}
    )
    assert bad.status_code == 422 and "address" in bad.json()["errors"]
