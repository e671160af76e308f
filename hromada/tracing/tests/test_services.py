import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from hromada.core.models import AuditEvent
from hromada.tracing import services
from hromada.tracing.models import (
    Disclosure,
    DisclosureRecord,
    Inquiry,
    Match,
    PersonRecord,
    Transfer,
)
from hromada.tracing.tests.factories import make_inquiry, make_match, make_record

STATUS = DisclosureRecord.What.STATUS
LOCATION = DisclosureRecord.What.LOCATION
CONSENT = DisclosureRecord.Basis.CONSENT


@pytest.fixture
def story(community):
    """The demo's story in small: a hospital record and a shelter record for one man."""
    hospital = make_record(family_name="Шевченко", given_name="Олександр", patronymic="Петрович",
                           birth_year=1987, source="hospital_list")  # fmt: skip
    shelter = make_record(family_name="Шевченко", given_name="Александр", source="shelter_registry")
    make_record(family_name="Коваль", given_name="Олег", birth_year=1990)
    return hospital, shelter


def test_an_inquiry_from_abroad_proposes_the_hospital_and_the_shelter_records(
    community, story, django_capture_on_commit_callbacks
):
    hospital, shelter = story
    with django_capture_on_commit_callbacks(execute=True):  # the matching task runs on commit
        inquiry, _created = services.file_inquiry(
            community.anonymous, given_name="Oleksandr", family_name="Shevchenko",
            birth_year=1987, inquirer_name="Maria", inquirer_contact="+1 416 555 0101",
        )  # fmt: skip
    proposed = list(inquiry.matches.order_by("-score").values_list("right_id", flat=True))
    assert proposed[:2] == [hospital.pk, shelter.pk]
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.POSSIBLE_MATCH
    assert inquiry.sought.source == "inquiry" and inquiry.sought.status == "missing"


def test_matching_again_proposes_nothing_twice(community, story):
    inquiry = make_inquiry()
    before = Match.objects.count()
    assert services.propose_matches(inquiry) == 0
    assert Match.objects.count() == before


def test_anyone_may_file_an_inquiry_and_a_replay_files_it_once(community):
    key = uuid.uuid4().hex
    fields = {"inquirer_name": "Ivan", "inquirer_contact": "+48 500", "family_name": "Melnyk"}
    first, created = services.file_inquiry(community.anonymous, idempotency_key=key, **fields)
    again, created_again = services.file_inquiry(community.anonymous, idempotency_key=key, **fields)
    assert created and not created_again and first.pk == again.pk
    assert first.reference.startswith("TR-") and len(first.reference) == 12


def test_an_inquiry_without_a_name_or_a_contact_is_refused_whole(community):
    with pytest.raises(ValidationError) as error:
        services.file_inquiry(community.anonymous, inquirer_name="", inquirer_contact="")
    assert set(error.value.message_dict) == {"inquirer_name", "inquirer_contact", "family_name"}
    assert not PersonRecord.objects.exists() and not Inquiry.objects.exists()


def test_confirming_a_match_answers_the_inquiry_and_is_audited(community, story):
    hospital, _shelter = story
    inquiry = make_inquiry()
    match = inquiry.matches.get(right=hospital)
    services.decide_match(community.caseworker, match, confirm=True, note="Checked by phone")
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.found) == (Inquiry.Status.CONFIRMED, hospital)
    assert AuditEvent.objects.filter(action="tracing.match.confirmed", actor=community.caseworker)
    with pytest.raises(ValidationError):
        services.decide_match(community.caseworker, match, confirm=False)


def test_rejecting_the_last_proposal_reopens_the_inquiry(community):
    match = make_match()
    match.inquiry.status = Inquiry.Status.POSSIBLE_MATCH
    match.inquiry.save()
    Match.objects.filter(inquiry=match.inquiry).exclude(pk=match.pk).delete()
    services.decide_match(community.caseworker, match, confirm=False)
    match.inquiry.refresh_from_db()
    assert match.inquiry.status == Inquiry.Status.OPEN


@pytest.mark.parametrize("persona", ["volunteer", "analyst", "coordinator", "outsider"])
def test_only_caseworkers_search_decide_and_disclose(community, story, persona):
    user = getattr(community, persona)
    match = make_match(right=story[0])
    with pytest.raises(PermissionDenied):
        services.search_records(user, q="Shevchenko")
    with pytest.raises(PermissionDenied):
        services.decide_match(user, match, confirm=True)
    with pytest.raises(PermissionDenied):
        services.record_disclosure(user, record=story[0], what=STATUS, recipient="x", basis=CONSENT)
    assert not AuditEvent.objects.filter(action="tracing.searched").exists()


def test_a_caseworkers_search_is_logged_with_who_when_and_what(community, story):
    hits = services.search_records(community.caseworker, q="Oleksandr Shevchenko", birth_year=1987)
    event = AuditEvent.objects.get(action="tracing.searched")
    assert event.actor == community.caseworker and event.at <= timezone.now()
    assert event.details["q"] == "Oleksandr Shevchenko" and event.details["birth_year"] == 1987
    assert event.details["results"] == [h.record_id for h in hits]


@override_settings(TRACING_SEARCHES_PER_MINUTE=3)
def test_searches_are_rate_limited_per_user(community, story):
    for _ in range(3):
        services.search_records(community.caseworker, q="Shevchenko")
    with pytest.raises(services.RateLimited):
        services.search_records(community.caseworker, q="Shevchenko")
    services.search_records(community.superuser, q="Shevchenko")  # another user is not limited


def _answered(community, record):
    inquiry = make_inquiry()
    match = make_match(inquiry=inquiry, right=record)
    services.decide_match(community.caseworker, match, confirm=True)
    inquiry.refresh_from_db()
    return inquiry


def test_a_refused_location_is_never_passed_on_but_being_found_may_be(community):
    record = make_record(status="alive", disclosure=Disclosure.REFUSED, birth_year=1979)
    inquiry = _answered(community, record)
    with pytest.raises(ValidationError) as error:
        services.record_disclosure(community.caseworker, record=record, inquiry=inquiry,
                                   what=LOCATION, recipient="Maria", basis=CONSENT)  # fmt: skip
    assert "refused" in str(error.value)
    services.record_disclosure(community.caseworker, record=record, inquiry=inquiry, what=STATUS,
                               recipient="Maria", basis=CONSENT)  # fmt: skip
    assert list(DisclosureRecord.objects.values_list("what", flat=True)) == [STATUS]
    assert AuditEvent.objects.filter(action="tracing.disclosed").count() == 1


def test_whereabouts_go_only_to_the_family_members_the_person_named(community):
    record = make_record(status="alive", disclosure=Disclosure.FAMILY,
                         disclosure_to="Марія Шевченко, Петро Шевченко", birth_year=1980)  # fmt: skip
    inquiry = _answered(community, record)
    with pytest.raises(ValidationError):
        services.record_disclosure(community.caseworker, record=record, inquiry=inquiry,
                                   what=LOCATION, recipient="Ivan Koval", basis=CONSENT)  # fmt: skip
    services.record_disclosure(community.caseworker, record=record, inquiry=inquiry,
                               what=LOCATION, recipient="Maria Shevchenko", basis=CONSENT)  # fmt: skip


def test_an_adult_not_yet_asked_must_be_asked_first(community):
    record = make_record(status="alive", birth_year=1980)
    inquiry = _answered(community, record)
    with pytest.raises(ValidationError, match="Ask the person first"):
        services.record_disclosure(community.caseworker, record=record, inquiry=inquiry,
                                   what=LOCATION, recipient="Maria", basis=CONSENT)  # fmt: skip


def test_a_childs_whereabouts_go_only_to_a_verified_guardian(community):
    year = timezone.localdate().year - 8
    record = make_record(status="alive", birth_year=year, disclosure=Disclosure.ANYONE)
    inquiry = _answered(community, record)
    with pytest.raises(ValidationError):
        services.record_disclosure(community.caseworker, record=record, inquiry=inquiry,
                                   what=LOCATION, recipient="Maria", basis=CONSENT)  # fmt: skip
    services.record_disclosure(community.caseworker, record=record, inquiry=inquiry, what=LOCATION,
                               recipient="Maria", basis=DisclosureRecord.Basis.GUARDIAN)  # fmt: skip


def test_nothing_is_disclosed_before_a_match_is_confirmed(community):
    record = make_record(status="alive", disclosure=Disclosure.ANYONE)
    inquiry = make_inquiry()
    with pytest.raises(ValidationError, match="Confirm a match"):
        services.record_disclosure(community.caseworker, record=record, inquiry=inquiry,
                                   what=STATUS, recipient="Maria", basis=CONSENT)  # fmt: skip


def test_detained_combatants_are_transferred_never_disclosed(community):
    soldier = make_record(status="detained", is_combatant=True, disclosure=Disclosure.ANYONE)
    make_record(status="alive", is_combatant=True)  # a combatant safe at home: not transferred
    with pytest.raises(ValidationError, match="combatants"):
        services.record_disclosure(community.caseworker, record=soldier, what=STATUS,
                                   recipient="Maria", basis=CONSENT)  # fmt: skip
    transfer, content = services.transfer_combatants(
        community.caseworker, recipient=Transfer.Recipient.ICRC_CTA, fmt="pfif"
    )
    assert list(transfer.records.all()) == [soldier] and transfer.count == 1
    assert b"believed_alive" in content and len(transfer.sha256) == 64
    soldier.refresh_from_db()
    assert soldier.transferred_at is not None
    assert AuditEvent.objects.filter(action="tracing.transferred").exists()
    with pytest.raises(ValidationError):  # nothing left: a second transfer is refused
        services.transfer_combatants(community.caseworker, recipient="nib", fmt="csv")


def test_a_record_needs_a_name_and_a_birth_year_in_the_past(community):
    with pytest.raises(ValidationError) as error:
        services.create_record(community.caseworker, family_name="", given_name="",
                               birth_year=timezone.localdate().year + 1, source="field_report")  # fmt: skip
    assert set(error.value.message_dict) == {"family_name", "birth_year"}


def test_a_renamed_record_is_found_under_its_new_name(community):
    record, _created = services.create_record(community.caseworker, family_name="Мельник",
                                              given_name="Петро", source="field_report")  # fmt: skip
    services.update_record(community.caseworker, record, family_name="Гнатюк")
    hits = services.search_records(community.caseworker, q="Hnatiuk")
    assert [h.record_id for h in hits] == [record.pk]


def test_expired_records_are_deleted_unless_a_case_needs_them(community):
    past = timezone.localdate() - datetime.timedelta(days=1)
    old = make_record(expiry_date=past)
    kept = make_record(expiry_date=past)
    _answered(community, kept)
    assert services.expire_records() == 1
    assert not PersonRecord.objects.filter(pk=old.pk).exists()
    assert PersonRecord.objects.filter(pk=kept.pk).exists()
    assert services.expire_records() == 0
