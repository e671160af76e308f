"""The rules in services.py: who may do what, what is refused, what happens once."""

import datetime
import hashlib
import http.server
import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from hromada.core.idempotency import KeyReused
from hromada.reports import archive, geo, metrics, services
from hromada.reports.models import Claim, Document, Incident, Sitrep, SitrepSnapshot, Verification
from hromada.reports.tests.factories import (
    analyst_of,
    at,
    make_claim,
    make_document,
    make_incident,
    make_media,
    make_sitrep,
    make_source,
    party,
)

# Sources and documents ------------------------------------------------------------------------


def test_only_analysts_keep_the_record(community):
    for persona in ("coordinator", "volunteer", "caseworker", "anonymous"):
        with pytest.raises(PermissionDenied):
            services.create_source(
                getattr(community, persona), name_en="X", kind="eyewitness", scale="local"
            )


def test_a_source_needs_a_name_and_known_metrics(community):
    with pytest.raises(ValidationError) as error:
        services.create_source(
            community.analyst, kind="eyewitness", scale="local", recorder_for=["nope"]
        )
    assert set(error.value.message_dict) == {"name_uk", "recorder_for"}


def test_the_excerpt_is_kept_exactly_as_published(community, sources):
    words = "  Загинули «мирні жителі».\n\nWar — \u201cinvasion\u201d.  "
    document = make_document(community.analyst, sources.town, excerpt=words)
    assert Document.objects.get(pk=document.pk).excerpt == words


def test_a_document_repeating_another_takes_its_origin_and_so_do_documents_citing_it(
    community, sources
):
    a = community.analyst
    outlet = make_source(a, kind="media_national")
    aggregator = make_source(a, kind="media_local")
    middle = make_document(a, outlet)
    last = make_document(a, aggregator, cites_document=middle)
    assert last.origin == outlet

    services.update_document(a, middle, cites_source=sources.ohchr)

    assert Document.objects.get(pk=last.pk).origin == sources.ohchr


def test_retracting_a_document_retracts_its_figures(community, sources):
    a = community.analyst
    document = make_document(a, sources.town)
    make_claim(a, "10 killed, including 2 children", document=document, area=community.town)

    services.retract_document(a, document, note="Withdrawn")

    assert set(Claim.objects.values_list("source_status", flat=True)) == {"retracted"}
    with pytest.raises(ValidationError) as error:
        make_claim(a, "5", document=document)
    assert "document" in error.value.message_dict


# Claims --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"metric": metrics.COMBATANTS_KILLED}, "party"),  # whose fighters?
        ({"party": "ru"}, "party"),  # civilians belong to no party
        ({"measure": "period"}, "period_start"),
        ({"measure": "snapshot", "period_start": datetime.date(2022, 2, 24)}, "period_start"),
        ({"as_of": "future"}, "as_of"),
        ({"words": "many"}, "value_text"),
        ({"words": ""}, "value_text"),
        ({"incident": True, "control": "government"}, "control"),
    ],
)
def test_a_figure_that_does_not_make_sense_is_refused_field_by_field(
    community, sources, overrides, field
):
    a = community.analyst
    if overrides.get("party"):
        overrides["party"] = party(overrides["party"])
    if overrides.get("as_of") == "future":
        overrides["as_of"] = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)
    if overrides.get("incident"):
        overrides["incident"] = make_incident(a, area=community.town)
    words = overrides.pop("words", "10")
    with pytest.raises(ValidationError) as error:
        make_claim(a, words, source=sources.town, **overrides)
    assert field in error.value.message_dict
    assert not Claim.objects.exists()  # nothing half-written stays behind


def test_a_figure_replaces_only_an_earlier_figure_of_its_own_source_and_scope(community, sources):
    a = community.analyst
    town = make_claim(a, "28", source=sources.town, area=community.town)
    with pytest.raises(ValidationError):
        make_claim(a, "31", source=sources.ohchr, area=community.town, supersedes=town)
    with pytest.raises(ValidationError):
        make_claim(a, "31", source=sources.town, supersedes=town)  # national, not the town
    services.correct_claim(a, town, words="31")
    with pytest.raises(ValidationError):
        services.correct_claim(a, town, words="32")  # already replaced


def test_a_figure_about_an_incident_takes_the_incidents_area(community, sources):
    incident = make_incident(community.analyst, area=community.village)
    claim = make_claim(community.analyst, "3", source=sources.town, incident=incident)
    assert claim.area == community.village


def test_a_replayed_figure_with_the_same_key_is_recorded_once(community, sources):
    a = community.analyst
    document = make_document(a, sources.town)
    first = make_claim(a, "240 casualties including 64 dead", document=document, metric=metrics.CASUALTIES,
                       idempotency_key="claim-key-0001")  # fmt: skip
    again = make_claim(a, "240 casualties including 64 dead", document=document, metric=metrics.CASUALTIES,
                       idempotency_key="claim-key-0001")  # fmt: skip
    assert first == again and Claim.objects.count() == 2  # the whole and its part, once
    with pytest.raises(KeyReused):
        make_claim(community.superuser, "1", document=document, idempotency_key="claim-key-0001")


# Incidents -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("precision", "time", "earliest", "latest"),
    [
        ("exact", datetime.time(10, 15), at(25, 10, 15), at(25, 10, 15)),
        ("day", None, at(25, 0), at(25, 23, 59) + datetime.timedelta(seconds=59)),
        ("days", None, at(23, 0), at(25, 23, 59) + datetime.timedelta(seconds=59)),
        ("week", None, at(19, 0), at(25, 23, 59) + datetime.timedelta(seconds=59)),
        ("month", None, at(1, 0), at(28, 23, 59) + datetime.timedelta(seconds=59)),
    ],
)
def test_a_reported_day_and_precision_become_the_earliest_and_latest_time(
    precision, time, earliest, latest
):
    assert services.window_for(datetime.date(2022, 2, 25), time, precision) == (earliest, latest)


def test_anyone_reports_an_incident_and_it_waits_unreviewed(community):
    incident, created = services.report_incident(
        community.anonymous, kind="fire", occurred_earliest=at(28, 6), occurred_latest=at(28, 7),
        area=community.town, ip="198.51.100.7",
    )  # fmt: skip
    assert created and (incident.status, incident.grade) == ("reported", "unassessed")
    assert incident.reported_by is None and len(incident.code) == 13


def test_a_visitor_cannot_set_what_only_analysts_decide(community):
    with pytest.raises(ValueError):
        services.report_incident(
            community.anonymous, kind="fire", occurred_earliest=at(28, 6), occurred_latest=at(28, 7),
            area=community.town, public_blur_m=100, ip="198.51.100.8",
        )  # fmt: skip


def test_anonymous_reports_are_limited_per_address(community):
    cache.clear()
    report = {
        "kind": "fire",
        "occurred_earliest": at(28, 6),
        "occurred_latest": at(28, 7),
        "area": community.town,
    }
    for _ in range(services.ANONYMOUS_REPORTS_PER_HOUR):
        services.report_incident(community.anonymous, ip="198.51.100.9", **report)
    with pytest.raises(PermissionDenied):
        services.report_incident(community.anonymous, ip="198.51.100.9", **report)
    services.report_incident(community.anonymous, ip="198.51.100.10", **report)  # another address
    services.report_incident(community.volunteer, ip="198.51.100.9", **report)  # signed in


def test_incidents_far_apart_or_at_other_times_are_not_suggested_as_duplicates(community):
    a = community.analyst
    incident = make_incident(a, area=community.town)
    make_incident(a, area=community.town, latitude="50.400000", longitude="34.892000")  # 10 km off
    make_incident(a, area=community.town, occurred_earliest=at(26, 1), occurred_latest=at(26, 2))
    near = make_incident(a, area=community.town, latitude="50.308900", longitude="34.892000")
    assert [other for other, _score in services.possible_duplicates(incident)] == [near]

    services.dismiss_duplicate(a, incident, near)

    assert services.possible_duplicates(incident) == []


def test_a_merged_incidents_old_code_still_finds_it(community, as_user):
    a = community.analyst
    keep, duplicate = make_incident(a, area=community.town), make_incident(a, area=community.town)
    services.merge_incidents(a, keep, duplicate)
    response = as_user(community.anonymous).get(f"/reports/incidents/{duplicate.code}/")
    assert response.status_code == 302 and response["Location"].endswith(f"/{keep.code}/")
    with pytest.raises(ValidationError):
        services.merge_incidents(a, keep, duplicate)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=44.0, max_value=52.5),
    st.floats(min_value=22.0, max_value=40.5),
    st.sampled_from([100, 500, 1000, 5000]),
)
def test_public_coordinates_are_within_the_cell_and_never_the_exact_spot(lat, lon, radius):
    blurred = geo.blur(lat, lon, radius)
    # Within the cell: at most half its diagonal from the true point (plus rounding).
    assert geo.distance_m(lat, lon, *blurred) <= radius * 0.71 + 2
    # Everything in the same cell publishes the same point: repeated asks reveal nothing.
    assert geo.blur(*blurred, radius) == blurred


def test_an_incident_known_only_roughly_is_published_no_finer_than_it_is_known(community):
    incident = make_incident(
        community.analyst, area=community.town, location_precision="settlement", public_blur_m=500
    )
    lat, lon = services.public_location(incident)
    assert (lat, lon) == geo.blur(incident.latitude, incident.longitude, 5000)


# Sitreps -------------------------------------------------------------------------------------


def test_a_sitrep_moves_from_draft_through_review_to_published(community, sources, reviewer):
    a = community.analyst
    make_claim(a, "28", source=sources.town, area=community.town)
    sitrep = make_sitrep(a, organization=community.council, area=community.town)

    with pytest.raises(ValidationError):
        services.approve_sitrep(reviewer, sitrep)  # not in review yet
    services.submit_sitrep(a, sitrep)
    with pytest.raises(ValidationError):
        services.update_sitrep(a, sitrep, title="Changed")  # only drafts change
    with pytest.raises(PermissionDenied):
        services.approve_sitrep(a, sitrep)  # not by its author
    services.approve_sitrep(reviewer, sitrep)
    services.publish_sitrep(a, sitrep)

    sitrep.refresh_from_db()
    assert (sitrep.status, sitrep.approved_by, sitrep.published_at is not None) == (
        "published", reviewer, True,
    )  # fmt: skip
    assert SitrepSnapshot.objects.filter(sitrep=sitrep).count() == 1


def test_analysts_of_another_organisation_cannot_draft_or_approve_the_councils_sitreps(community):
    outsider_analyst = analyst_of(community.other)
    with pytest.raises(PermissionDenied):
        make_sitrep(outsider_analyst, organization=community.council)
    sitrep = make_sitrep(community.analyst, organization=community.council)
    services.submit_sitrep(community.analyst, sitrep)
    with pytest.raises(PermissionDenied):
        services.approve_sitrep(outsider_analyst, sitrep)


def test_a_returned_sitrep_carries_the_reviewers_note(community, reviewer):
    sitrep = make_sitrep(community.analyst, organization=community.council)
    services.submit_sitrep(community.analyst, sitrep)
    services.return_sitrep(reviewer, sitrep, note="Add the hospital's count.")
    sitrep.refresh_from_db()
    assert (sitrep.status, sitrep.review_note) == ("draft", "Add the hospital's count.")


def test_a_published_sitrep_supersedes_the_earlier_one_for_the_same_area(community, reviewer):
    a = community.analyst
    sitreps = []
    for day in (26, 27, 28):
        sitrep = make_sitrep(
            a, organization=community.council, area=community.town, cutoff=at(day, 20)
        )
        services.submit_sitrep(a, sitrep)
        services.approve_sitrep(reviewer, sitrep)
        sitreps.append(sitrep)
    services.publish_sitrep(a, sitreps[0])
    services.publish_sitrep(a, sitreps[2])
    services.publish_sitrep(a, sitreps[1])  # late: superseded at once

    states = {s.pk: (s.status, s.superseded_by_id) for s in Sitrep.objects.all()}
    assert states == {
        sitreps[0].pk: ("superseded", sitreps[2].pk),
        sitreps[1].pk: ("superseded", sitreps[2].pk),
        sitreps[2].pk: ("published", None),
    }


def test_a_snapshot_can_neither_change_nor_go(community, reviewer):
    sitrep = make_sitrep(community.analyst, organization=community.council)
    services.submit_sitrep(community.analyst, sitrep)
    services.approve_sitrep(reviewer, sitrep)
    snapshot = SitrepSnapshot.objects.get()
    with pytest.raises(TypeError):
        snapshot.save()
    with pytest.raises(TypeError):
        SitrepSnapshot.objects.update(sha256="")
    with pytest.raises(TypeError):
        SitrepSnapshot.objects.all().delete()


def test_a_sitrep_cannot_report_the_future(community):
    with pytest.raises(ValidationError) as error:
        make_sitrep(
            community.analyst, organization=community.council,
            cutoff=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1),
        )  # fmt: skip
    assert "cutoff" in error.value.message_dict


# Media and verification -------------------------------------------------------------------


def test_a_verdict_needs_a_second_analyst(community, reviewer):
    a = community.analyst
    media = make_media(a)
    verification, _ = services.start_verification(a, media, claimed="Okhtyrka, 28 February")
    with pytest.raises(ValidationError):
        services.update_verification(a, verification, status="verified")
    verification.refresh_from_db()
    services.propose_verdict(a, verification, status="verified")
    with pytest.raises(PermissionDenied):
        services.confirm_verdict(a, verification)
    services.confirm_verdict(reviewer, verification)
    verification.refresh_from_db()
    assert (verification.status, verification.confirmed_by) == ("verified", reviewer)
    with pytest.raises(ValidationError):
        services.update_verification(reviewer, verification, claimed="changed")


def test_a_confirmed_false_verdict_sends_an_incident_that_rested_on_the_item_back(
    community, reviewer
):
    a = community.analyst
    incident = make_incident(a, area=community.town)
    media = make_media(a)
    services.link_media(a, media, incident, relation="supports")
    verification, _ = services.start_verification(a, media, claimed="A strike today")
    services.propose_verdict(a, verification, status=Verification.Status.FALSE)
    services.confirm_verdict(reviewer, verification)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.REPORTED


def test_a_disagreeing_second_analyst_sends_the_verification_back(community, reviewer):
    a = community.analyst
    verification, _ = services.start_verification(a, make_media(a), claimed="x")
    services.propose_verdict(a, verification, status="misleading")
    services.confirm_verdict(reviewer, verification, agree=False)
    verification.refresh_from_db()
    assert (verification.status, verification.proposed_status) == ("in_progress", "")


def test_identical_bytes_are_found_by_sha256(community):
    a = community.analyst
    old = make_media(a, content=b"not an image at all", first_seen_at=at(24, 9))
    new = make_media(a, content=b"not an image at all", first_seen_at=at(28, 9))
    assert (old.phash, new.recycled_of_id) == ("", old.pk)


# Archive copies ------------------------------------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    pages = {
        "/statement": (200, "text/html", "<html>28 загиблих</html>".encode()),
        "/moved": (302, "text/plain", b""),
        "/gone": (404, "text/plain", b"no"),
    }

    def do_GET(self):
        status, content_type, body = self.pages.get(self.path, (404, "text/plain", b""))
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/statement")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def local_site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@override_settings(REPORTS_ARCHIVE_ALLOW_PRIVATE=True)
def test_an_archive_copy_is_fetched_once_and_kept_with_its_sha256(
    community, sources, local_site, django_capture_on_commit_callbacks
):
    document = make_document(community.analyst, sources.town, url=f"{local_site}/moved")

    with django_capture_on_commit_callbacks(execute=True):
        services.request_archive(community.analyst, document)

    document.refresh_from_db()
    body = "<html>28 загиблих</html>".encode()
    assert (document.archive_status, document.archive_sha256) == (
        "done",
        hashlib.sha256(body).hexdigest(),
    )
    assert document.archive.read() == body
    assert services.fetch_archive(document.pk) is False  # nothing pending: a retry does nothing


@override_settings(REPORTS_ARCHIVE_ALLOW_PRIVATE=True)
def test_a_failed_fetch_says_why(
    community, sources, local_site, django_capture_on_commit_callbacks
):
    document = make_document(community.analyst, sources.town, url=f"{local_site}/gone")
    with django_capture_on_commit_callbacks(execute=True):
        services.request_archive(community.analyst, document)
    document.refresh_from_db()
    assert document.archive_status == "failed" and "404" in document.archive_error


def test_the_archiver_never_fetches_from_the_private_network(community, sources, local_site):
    document = make_document(community.analyst, sources.town, url=f"{local_site}/statement")
    services.request_archive(community.analyst, document)
    assert services.fetch_archive(document.pk) is False
    document.refresh_from_db()
    assert document.archive_status == "failed" and not document.archive


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x", "http://169.254.169.254/"]
)
def test_the_archiver_refuses_other_schemes_and_metadata_addresses(url):
    with pytest.raises(archive.FetchError):
        archive.fetch(url)


def test_a_stale_fetch_is_given_back_and_enqueued_again(community, sources):
    document = make_document(community.analyst, sources.town, url="https://example.org/")
    Document.objects.filter(pk=document.pk).update(
        archive_status="fetching", archive_claimed_at=at(1, 0, month=1, year=2020)
    )
    with mock.patch("hromada.reports.services._enqueue_archive") as enqueue:
        assert services.retry_stale_archives() == 1
    enqueue.assert_called_once_with(document.pk)


def test_decimal_coordinates_from_a_phone_round_trip(community):
    incident = make_incident(community.analyst, area=community.town, latitude=Decimal("50.123456"))
    assert Incident.objects.get(pk=incident.pk).latitude == Decimal("50.123456")
