"""The pages: the public alerts page and map, an alert's page, the desk, the draft form and the
workflow buttons, each for who may and who may not."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from hromada.alerts.models import Alert
from hromada.alerts.tests.factories import make_draft, published
from hromada.core.models import AuditEvent

PUBLIC = reverse("alerts:public-alerts")


def form_data(**overrides) -> dict:
    expires = (timezone.localtime() + datetime.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "status": "Actual",
        "scope": "Public",
        "category": "Other",
        "urgency": "Expected",
        "severity": "Minor",
        "certainty": "Observed",
        "expires": expires,
        "area_description": "Стадіон",
        "event_uk": "Видача хліба",
        "headline_uk": "Хліб на стадіоні",
        "event_en": "Bread distribution",
        "headline_en": "Bread at the stadium",
        "idempotency_key": "form-key-0001",
    }
    data.update(overrides)
    return data


def test_the_public_page_shows_alerts_in_force_most_serious_first(community, as_user):
    published(community, severity="Moderate", headline_en="Water off on Kyivska")
    published(community, headline_en="Air raid! Go to a shelter")
    make_draft(author=community.alert_author, organization=community.council, headline_en="Not yet")

    html = as_user(community.anonymous).get(PUBLIC).content.decode()

    assert html.index("Air raid! Go to a shelter") < html.index("Water off on Kyivska")
    assert "Not yet" not in html


def test_the_public_page_filters_by_area_including_the_areas_above(community, as_user):
    published(community, areas=[community.hromada], headline_en="Whole hromada")
    published(community, areas=[community.town], headline_en="Town only")
    published(community, areas=[community.village], headline_en="Village only")

    html = (
        as_user(community.anonymous).get(PUBLIC, {"area": community.village.code}).content.decode()
    )

    assert "Whole hromada" in html and "Village only" in html and "Town only" not in html


def test_the_filter_answers_htmx_with_the_results_only(community, as_user):
    published(community, headline_en="Air raid")
    response = as_user(community.anonymous).get(PUBLIC, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"') and "Air raid" in html


def test_the_public_list_costs_a_fixed_number_of_queries(
    community, as_user, django_assert_num_queries
):
    for n in range(5):
        published(community, areas=[community.town], headline_en=f"Alert {n}")
    client = as_user(community.anonymous)
    # an anonymous visitor: areas for the filter; current alerts, their infos, the infos'
    # areas; recently ended alerts (none here, so nothing to prefetch for them)
    with django_assert_num_queries(5):
        response = client.get(PUBLIC)
    assert response.content.decode().count('class="need sev-') == 5


def test_expired_and_cancelled_alerts_leave_the_page_and_show_as_ended(community, as_user):
    from hromada.alerts import services

    cancelled = published(community, headline_en="Wrong alarm")
    cancel, _ = services.start_follow_up(community.alert_author, cancelled, msg_type="Cancel")
    services.submit_alert(community.alert_author, cancel)
    services.approve_alert(community.alert_approver, cancel)

    html = as_user(community.anonymous).get(PUBLIC).content.decode()
    current = html[: html.index("Recently ended")]
    assert "Wrong alarm" not in current and "Wrong alarm" in html


def test_an_alert_page_is_public_once_published(community, as_user):
    alert = published(community, description_en="Missiles launched towards the oblast.")
    html = (
        as_user(community.anonymous)
        .get(reverse("alerts:alert-detail", args=[alert.pk]))
        .content.decode()
    )
    assert "Missiles launched towards the oblast." in html
    assert reverse("alerts:alert-cap", args=[alert.pk]) in html
    assert "Approve" not in html and "Written by" not in html


def test_drafts_are_hidden_from_everyone_but_the_organisations_alert_staff(community, as_user):
    draft = make_draft(author=community.alert_author, organization=community.council)
    url = reverse("alerts:alert-detail", args=[draft.pk])
    for persona in ("anonymous", "volunteer", "coordinator", "other_coordinator"):
        assert as_user(getattr(community, persona)).get(url).status_code == 404, persona
    for persona in ("alert_author", "alert_approver", "superuser"):
        assert as_user(getattr(community, persona)).get(url).status_code == 200, persona


def test_an_author_drafts_submits_and_an_approver_publishes_through_the_pages(community, as_user):
    author = as_user(community.alert_author)
    response = author.post(reverse("alerts:alert-create"), form_data())
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "alerts:alert-detail", args=[alert.pk]
    )

    author.post(reverse("alerts:alert-submit", args=[alert.pk]))
    page = (
        as_user(community.alert_approver)
        .get(reverse("alerts:alert-detail", args=[alert.pk]))
        .content.decode()
    )
    assert "Approve and publish" in page
    as_user(community.alert_approver).post(reverse("alerts:alert-approve", args=[alert.pk]))

    alert.refresh_from_db()
    assert alert.is_current()
    assert "Bread at the stadium" in as_user(community.anonymous).get(PUBLIC).content.decode()
    assert AuditEvent.objects.filter(action="alerts.published", object_id=str(alert.pk)).exists()


def test_the_same_form_sent_twice_makes_one_draft(community, as_user):
    author = as_user(community.alert_author)
    first = author.post(reverse("alerts:alert-create"), form_data())
    second = author.post(reverse("alerts:alert-create"), form_data())
    assert first["Location"] == second["Location"] and Alert.objects.count() == 1


def test_the_author_is_told_to_find_another_approver(community, as_user):
    from hromada.core.models import Membership, Role

    Membership.objects.filter(user=community.alert_author).update(
        roles=[Role.ALERT_AUTHOR, Role.ALERT_APPROVER]
    )
    alert = make_draft(author=community.alert_author, organization=community.council)
    client = as_user(community.alert_author)
    client.post(reverse("alerts:alert-submit", args=[alert.pk]))

    page = client.get(reverse("alerts:alert-detail", args=[alert.pk])).content.decode()
    assert "another approver must publish it" in page and "Approve and publish" not in page
    response = client.post(reverse("alerts:alert-approve", args=[alert.pk]), follow=True)
    assert response.status_code == 403
    assert Alert.objects.get(pk=alert.pk).state == Alert.State.PENDING


def test_a_volunteer_cannot_open_the_form_or_publish(community, as_user):
    alert = make_draft(author=community.alert_author, organization=community.council)
    client = as_user(community.volunteer)
    assert client.get(reverse("alerts:alert-create")).status_code == 403
    assert client.post(reverse("alerts:alert-create"), form_data()).status_code == 403
    assert client.post(reverse("alerts:alert-approve", args=[alert.pk])).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"polygon": "50.30,34.88 50.32,34.88 50.32,34.91 50.30,34.91"}, "polygon", "not closed"),
        (
            {"onset": "2099-01-01T10:00", "expires": "2099-01-01T09:00"},
            "expires",
            "before its onset",
        ),
        ({"headline_en": "<b onmouseover=x>Bread</b>"}, "headline_en", "Write plain text"),
        ({"description_en": "y" * 5000}, "description_en", "at most 4000"),
    ],
)
def test_the_form_shows_what_is_wrong_next_to_the_field(
    community, as_user, overrides, field, message
):
    response = as_user(community.alert_author).post(
        reverse("alerts:alert-create"), form_data(**overrides)
    )
    assert response.status_code == 422
    errors = " ".join(response.context["form"].errors[field])
    assert message.lower() in errors.lower()
    assert not Alert.objects.exists()


def test_a_megabyte_description_is_refused_before_it_reaches_the_form(community, as_user):
    response = as_user(community.alert_author).post(
        reverse("alerts:alert-create"), form_data(description_en="z" * 1_100_000)
    )
    assert response.status_code == 413
    assert not Alert.objects.exists()


def test_a_template_fills_the_form(community, as_user):
    html = (
        as_user(community.alert_author)
        .get(reverse("alerts:alert-create"), {"template": "air-raid"})
        .content.decode()
    )
    assert "Air raid alert! Go to a shelter now" in html


def test_the_approver_returns_an_alert_with_a_comment_the_author_sees(community, as_user):
    alert = make_draft(author=community.alert_author, organization=community.council)
    as_user(community.alert_author).post(reverse("alerts:alert-submit", args=[alert.pk]))
    as_user(community.alert_approver).post(
        reverse("alerts:alert-return", args=[alert.pk]), {"comment": "Say which shelter."}
    )
    page = (
        as_user(community.alert_author)
        .get(reverse("alerts:alert-detail", args=[alert.pk]))
        .content.decode()
    )
    assert "Say which shelter." in page and reverse("alerts:alert-edit", args=[alert.pk]) in page


def test_a_follow_up_starts_from_the_published_alert(community, as_user):
    alert = published(community)
    response = as_user(community.alert_author).post(
        reverse("alerts:alert-follow-up", args=[alert.pk]),
        {"msg_type": "Cancel", "idempotency_key": "follow-0001"},
    )
    cancel = Alert.objects.get(msg_type="Cancel")
    assert response["Location"] == reverse("alerts:alert-detail", args=[cancel.pk])
    assert list(cancel.references.all()) == [alert]


def test_the_desk_lists_what_waits_for_approval(community, as_user, django_assert_num_queries):
    waiting = make_draft(
        author=community.alert_author, organization=community.council, headline_en="Waiting one"
    )
    from hromada.alerts import services

    services.submit_alert(community.alert_author, waiting)
    published(community, headline_en="In force one")
    html = as_user(community.alert_approver).get(reverse("alerts:desk")).content.decode()
    assert html.index("Waiting one") < html.index("In force one")
    assert as_user(community.volunteer).get(reverse("alerts:desk")).status_code == 403


def test_the_map_serves_the_drawn_areas_of_public_alerts_only(community, as_user):
    drawn = published(
        community,
        area_description="Стадіон",
        circle="50.3045,34.899 0.3",
        polygon="50.30,34.88 50.32,34.88 50.32,34.91 50.30,34.91 50.30,34.88",
    )
    published(
        community,
        scope="Restricted",
        restriction="Responders",
        area_description="Секрет",
        circle="50.0,34.0 1",
    )
    data = as_user(community.anonymous).get(reverse("alerts:areas-geojson")).json()
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 2
    ring = data["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == [34.88, 50.30] and ring[0] == ring[-1]  # longitude first, closed
    assert data["features"][0]["properties"]["url"] == reverse(
        "alerts:alert-detail", args=[drawn.pk]
    )
    assert "map" in as_user(community.anonymous).get(reverse("alerts:alert-map")).content.decode()


def test_members_see_restricted_alerts_the_public_does_not(community, as_user):
    published(
        community, scope="Restricted", restriction="Shelter wardens", headline_en="Wardens only"
    )
    assert "Wardens only" not in as_user(community.anonymous).get(PUBLIC).content.decode()
    assert "Wardens only" in as_user(community.volunteer).get(PUBLIC).content.decode()


def test_the_desk_costs_a_fixed_number_of_queries(community, as_user, django_assert_num_queries):
    from hromada.alerts import services
    from hromada.alerts.models import Feed

    for n in range(3):
        published(community, headline_en=f"Live {n}")
        services.submit_alert(
            community.alert_author,
            make_draft(author=community.alert_author, organization=community.council),
        )
    Feed.objects.create(
        name="ДСНС", organization=community.council, url="https://dsns.example/alerts.atom"
    )
    client = as_user(community.alert_approver)
    client.get(reverse("alerts:desk"))  # the session and roles warmed up
    # session, user, roles; waiting alerts, their infos, the infos' areas; returned, drafts (none
    # here, nothing prefetched); alerts in force, infos, areas; published earlier; feeds; templates
    with django_assert_num_queries(15):  # +1: the session's second factor
        response = client.get(reverse("alerts:desk"))
    assert response.content.decode().count('class="need sev-') == 6


def test_the_desk_shows_a_feed_that_stopped_answering(community, as_user):
    from hromada.alerts.models import Feed

    Feed.objects.create(
        name="ДСНС",
        organization=community.council,
        url="https://dsns.example/a.atom",
        last_error="timed out",
    )
    html = as_user(community.alert_approver).get(reverse("alerts:desk")).content.decode()
    assert "ДСНС" in html and "timed out" in html


def test_the_feed_costs_a_fixed_number_of_queries(community, as_user, django_assert_num_queries):
    for n in range(4):
        published(community, areas=[community.town], headline_en=f"Alert {n}")
    client = as_user(community.anonymous)
    # the areas the filter accepts; current alerts; their infos; the infos' areas
    with django_assert_num_queries(4):
        response = client.get(reverse("alerts:feed"))
    assert response.content.decode().count("<entry>") == 4
