"""The pages, as the people who use them see them."""

import re
import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from hromada.core.models import AuditEvent
from hromada.reports import metrics, services
from hromada.reports.models import Claim, Incident, Sitrep
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
def field_report(community, sources):
    """The field report's figures about casualties, for the town and the country."""
    a = community.analyst
    make_claim(a, "28", source=sources.town, area=community.town, as_of=at(28, 18))
    make_claim(
        a, "68", source=sources.town, area=community.town, metric=metrics.INJURED, as_of=at(28, 18)
    )
    make_claim(a, "~200, including 16 children", source=sources.government, as_of=at(27, 12),
               basis="official_statement")  # fmt: skip
    make_claim(a, "102 killed, including 7 children", source=sources.ohchr, as_of=at(28, 0),
               basis="verified_records", undercount=True,
               caveat="The real figures are considerably higher.")  # fmt: skip
    make_claim(a, "304", source=sources.ohchr, metric=metrics.INJURED, as_of=at(28, 0),
               basis="verified_records", undercount=True)  # fmt: skip
    return sources


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_an_analyst_publishes_a_sitrep_through_the_pages_and_the_public_reads_it(
    community, field_report, reviewer, as_user
):
    analyst = as_user(community.analyst)
    key = uuid.uuid4().hex
    created = analyst.post(
        reverse("reports:sitrep-create"),
        {"organization": community.council.pk, "area": community.town.code, "cutoff": "2022-02-28T20:00",
         "title": "Okhtyrka, evening of 28 February", "stale_after_days": "7", "idempotency_key": key},
    )  # fmt: skip
    sitrep = Sitrep.objects.get()
    assert created["Location"] == reverse("reports:sitrep-detail", args=[sitrep.pk])
    assert (
        analyst.post(reverse("reports:sitrep-action", args=[sitrep.pk, "submit"])).status_code
        == 302
    )
    # The author sees no approve button; the reviewer does.
    assert "Approve" not in text(analyst.get(created["Location"]))
    assert "Approve" in text(as_user(reviewer).get(created["Location"]))
    as_user(reviewer).post(reverse("reports:sitrep-action", args=[sitrep.pk, "approve"]))
    analyst.post(reverse("reports:sitrep-action", args=[sitrep.pk, "publish"]))

    page = text(as_user(community.anonymous).get(created["Location"]))

    # The town's, the government's and the UN's numbers side by side, each with its range,
    # date, basis and the reasons it differs.
    for expected in (
        "Okhtyrka, evening of 28 February", "Civilians killed", "documented floor",
        "Okhtyrka City Council", "Government of Ukraine", "OHCHR",
        "~200", "102", "28", "68", "304",
        "as of 28 February 2022, 18:00", "as of 27 February 2022, 12:00", "as of 28 February 2022, 00:00",
        "Documented count", "Official statement", "Verified records",
        "Covers a larger area: All of Ukraine", "Said by a party to the conflict",
        "The source says the real figure is higher", "Vague or approximate wording", "earlier",
        "Children killed", "Included in “Civilians killed”, never added to it.",
    ):  # fmt: skip
        assert expected in page, expected
    assert "Send for review" not in page and f"/sitreps/{sitrep.pk}/publish/" not in page


def test_a_draft_says_its_figures_are_live_and_an_approved_one_shows_its_hash(
    community, field_report, reviewer, as_user
):
    sitrep = make_sitrep(community.analyst, organization=community.council, area=community.town)
    url = reverse("reports:sitrep-detail", args=[sitrep.pk])
    assert "computed afresh" in text(as_user(community.analyst).get(url))
    services.submit_sitrep(community.analyst, sitrep)
    services.approve_sitrep(reviewer, sitrep)
    page = text(as_user(community.analyst).get(url))
    assert "computed afresh" not in page and Sitrep.objects.get().snapshot.sha256 in page


def test_the_sitrep_page_is_in_ukrainian_for_a_ukrainian_reader(
    community, field_report, reviewer, client
):
    sitrep = make_sitrep(community.analyst, organization=community.council, area=community.town)
    services.submit_sitrep(community.analyst, sitrep)
    services.approve_sitrep(reviewer, sitrep)
    services.publish_sitrep(community.analyst, sitrep)
    response = client.get(
        reverse("reports:sitrep-detail", args=[sitrep.pk]), HTTP_ACCEPT_LANGUAGE="uk"
    )
    with translation.override("uk"):
        heading = translation.gettext("Civilian casualties")
        area = community.town.name_uk
    assert response["Content-Language"] == "uk"
    assert heading in text(response) and area in text(response)


def test_the_sitrep_page_costs_the_same_queries_for_few_claims_or_many(
    community, sources, reviewer, as_user, django_assert_num_queries
):
    a = community.analyst
    sitrep = make_sitrep(a, organization=community.council, area=community.town)
    for n in range(30):
        make_claim(a, str(n), source=sources.town, area=community.town, as_of=at(28, 0, n))
    services.submit_sitrep(a, sitrep)
    services.approve_sitrep(reviewer, sitrep)
    services.publish_sitrep(a, sitrep)
    client = as_user(community.anonymous)
    # sitrep with area and organisation, its snapshot, the parties (names in reasons)
    with django_assert_num_queries(3):
        response = client.get(reverse("reports:sitrep-detail", args=[sitrep.pk]))
    assert response.status_code == 200


def test_the_incident_list_costs_the_same_queries_for_three_incidents_or_thirty(
    community, as_user, django_assert_num_queries
):
    for _ in range(30):
        make_incident(community.analyst, area=community.town)
    client = as_user(community.anonymous)
    # areas for the filter, count, page of incidents with their areas
    with django_assert_num_queries(3):
        response = client.get(reverse("reports:incident-list"))
    assert response.context["page"].paginator.count == 30


def test_the_figures_list_costs_the_same_queries_for_any_number(
    community, sources, as_user, django_assert_num_queries
):
    for n in range(25):
        make_claim(community.analyst, str(n), source=sources.town, area=community.town)
    client = as_user(community.analyst)
    # session, user, memberships, sources and areas for the filters, count, page with joins
    with django_assert_num_queries(7):
        response = client.get(reverse("reports:claim-list"))
    assert response.context["page"].paginator.count == 25


def test_htmx_asks_for_the_incident_results_alone(community, as_user):
    make_incident(community.analyst, area=community.town, kind="fire")
    make_incident(community.analyst, area=community.town, kind="armed_clash")
    response = as_user(community.anonymous).get(
        reverse("reports:incident-list"), {"kind": "fire"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "Fire" in html and "Armed clash" not in html and "<html" not in html


def test_the_public_list_shows_published_incidents_only(community, as_user):
    published = make_incident(community.analyst, area=community.town)
    unreviewed = make_incident(community.analyst, area=community.town, publish=False)
    public = text(as_user(community.anonymous).get(reverse("reports:incident-list")))
    analyst = text(as_user(community.analyst).get(reverse("reports:incident-list")))
    assert published.code in public and unreviewed.code not in public
    assert unreviewed.code in analyst


def test_a_visitor_reports_an_incident_from_the_form(community, as_user):
    client = as_user(community.anonymous)
    form = client.get(reverse("reports:incident-report"))
    assert form.status_code == 200 and "Use my location" in text(form)
    key = uuid.uuid4().hex
    data = {
        "kind": "shelling", "day": "2022-02-28", "time": "06:30", "time_precision": "exact",
        "area": community.town.code, "latitude": "50.3081", "longitude": "34.8924",
        "location_precision": "street", "infrastructure": ["homes", "apartments"],
        "description": "Two houses burning.", "reporter_contact": "@natalia", "idempotency_key": key,
    }  # fmt: skip
    response = client.post(reverse("reports:incident-report"), data)
    again = client.post(reverse("reports:incident-report"), data)

    incident = Incident.objects.get()
    assert (
        response["Location"]
        == again["Location"]
        == reverse("reports:incident-thanks", args=[incident.code])
    )
    assert incident.code in text(client.get(response["Location"]))
    assert (incident.status, incident.infrastructure, incident.reporter_contact) == (
        "reported", ["apartments", "homes"], "@natalia",
    )  # fmt: skip
    assert incident.occurred_earliest == incident.occurred_latest == at(28, 6, 30)


def test_a_report_with_mistakes_comes_back_with_the_fields_marked(community, as_user):
    response = as_user(community.anonymous).post(
        reverse("reports:incident-report"),
        {"kind": "shelling", "day": "yesterday", "time_precision": "day", "area": "nowhere",
         "latitude": "50.1", "location_precision": "street"},
    )  # fmt: skip
    assert response.status_code == 422
    assert set(response.context["form"].errors) >= {"day", "area"}
    assert not Incident.objects.exists()


def test_an_analyst_sees_the_reporters_contact_and_the_read_is_logged(community, as_user):
    incident = make_incident(
        community.analyst, area=community.town, reporter_contact="+380 50 111 2233"
    )
    page = text(
        as_user(community.analyst).get(reverse("reports:incident-detail", args=[incident.code]))
    )
    assert "+380 50 111 2233" in page
    assert AuditEvent.objects.filter(action="reports.incident.reporter_viewed").count() == 1
    public = text(
        as_user(community.coordinator).get(reverse("reports:incident-detail", args=[incident.code]))
    )
    assert "+380 50 111 2233" not in public


def test_an_analyst_records_figures_from_a_document_page(community, sources, as_user):
    document = make_document(community.analyst, sources.ohchr)
    url = reverse("reports:claim-create", args=[document.pk])
    data = {"metric": metrics.CASUALTIES, "words": "at least 240 casualties including 64 killed",
            "area": "UA", "control": "whole", "as_of": "2022-02-26T00:00", "basis": "verified_records",
            "undercount": "on", "idempotency_key": uuid.uuid4().hex}  # fmt: skip
    response = as_user(community.analyst).post(url, data)
    assert response.status_code == 302
    assert sorted(Claim.objects.values_list("metric", "low")) == [
        (metrics.CASUALTIES, 240), (metrics.KILLED, 64),
    ]  # fmt: skip
    page = text(
        as_user(community.analyst).get(reverse("reports:document-detail", args=[document.pk]))
    )
    assert "≥ 240" in page and "≥ 64" in page and "part of the figure above" in page


def test_a_figure_the_form_cannot_read_is_shown_back_with_its_error(community, sources, as_user):
    document = make_document(community.analyst, sources.ohchr)
    response = as_user(community.analyst).post(
        reverse("reports:claim-create", args=[document.pk]),
        {"metric": metrics.KILLED, "words": "lots of people", "area": "UA", "control": "whole",
         "as_of": "2022-02-26T00:00", "basis": "verified_records"},
    )  # fmt: skip
    assert response.status_code == 422
    assert (
        "value_text" in response.context["claim_form"].errors
        or response.context["claim_form"].non_field_errors()
    )
    assert not Claim.objects.exists()


def test_exports_are_logged(community, sources, as_user):
    make_claim(community.analyst, "28", source=sources.town, area=community.town)
    as_user(community.analyst).get(reverse("reports:claims-export"))
    as_user(community.anonymous).get(reverse("reports:incidents-export"), {"format": "xlsx"})
    assert set(AuditEvent.objects.filter(action__startswith="reports.").values_list("action", flat=True)) == {
        "reports.claims.exported", "reports.incidents.exported",
    }  # fmt: skip


def test_a_media_item_is_private_and_every_look_at_it_is_logged(community, as_user):
    media = make_media(community.analyst, content=picture(3), uploader="@uploader")
    analyst = as_user(community.analyst)
    assert "@uploader" in text(analyst.get(reverse("reports:media-detail", args=[media.pk])))
    download = analyst.get(reverse("reports:media-file", args=[media.pk]))
    assert download["Content-Security-Policy"].startswith("sandbox")
    assert download["Content-Disposition"].startswith("attachment")
    events = AuditEvent.objects.filter(action__startswith="reports.").order_by("at")
    assert list(events.values_list("action", flat=True)) == [
        "reports.media.viewed", "reports.media.downloaded",
    ]  # fmt: skip


def test_the_analyst_verifies_media_through_the_pages(community, reviewer, as_user):
    media = make_media(community.analyst, content=picture(4))
    analyst, second = as_user(community.analyst), as_user(reviewer)
    analyst.post(reverse("reports:verification-create", args=[media.pk]),
                 {"claimed": "A strike on 28 February", "status": "in_progress"})  # fmt: skip
    verification = media.verifications.get()
    analyst.post(
        reverse("reports:verification-propose", args=[verification.pk]), {"status": "verified"}
    )
    page = text(analyst.get(reverse("reports:media-detail", args=[media.pk])))
    assert "Waiting for a second analyst" in page
    second.post(reverse("reports:verification-confirm", args=[verification.pk]), {"agree": "yes"})
    verification.refresh_from_db()
    assert verification.status == "verified"


def test_the_reconcile_page_explains_one_figure(community, field_report, as_user):
    page = text(
        as_user(community.analyst).get(
            reverse("reports:reconcile"),
            {
                "area": "UA",
                "metric": metrics.KILLED,
                "cutoff": "2022-02-28T23:00",
                "control": "whole",
                "stale_after_days": "7",
            },
        )
    )
    assert "reference figure (OHCHR)" in page and "Left out" in page


def test_the_geojson_of_a_sitrep_is_from_its_snapshot(community, reviewer, as_user):
    incident = make_incident(community.analyst, area=community.town)
    sitrep = make_sitrep(community.analyst, organization=community.council, area=community.town)
    services.submit_sitrep(community.analyst, sitrep)
    services.approve_sitrep(reviewer, sitrep)
    services.publish_sitrep(community.analyst, sitrep)
    services.review_incident(community.analyst, incident, status="withdrawn")

    features = (
        as_user(community.anonymous).get(reverse("reports:sitrep-geojson", args=[sitrep.pk])).json()
    )
    assert [f["properties"]["url"] for f in features["features"]] == [
        reverse("reports:incident-detail", args=[incident.code])
    ]
    assert features["features"][0]["geometry"]["coordinates"] != [34.892, 50.308]
