import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from hromada.volunteers import services
from hromada.volunteers.models import (
    Application,
    Assignment,
    CustodyRecord,
    EquipmentItem,
    Skill,
    TeamMember,
    Volunteer,
)
from hromada.volunteers.phones import normalize_phone
from hromada.volunteers.tests.factories import (
    make_application,
    make_assignment,
    make_item,
    make_referrer,
    make_shift,
    make_task,
    make_team,
    make_volunteer,
    tomorrow_at,
)


def sign_up(town, **overrides):
    fields = {
        "organization": town.hq,
        "name": "Іван Петренко",
        "phone": "050 765-43-21",
        "consent": True,
        "skills": [Skill.COOK],
        "availability": [(5, 360, 720)],
        "languages": ["uk"],
    }
    fields.update(overrides)
    return services.sign_up(**fields)


# Phones and sign-up ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("050 765-43-21", "+380507654321"),
        ("(050) 765 43 21", "+380507654321"),
        ("380507654321", "+380507654321"),
        ("+38 050 765 4321", "+380507654321"),
        ("0048 601 234 567", "+48601234567"),
        ("", ""),
    ],
)
def test_phones_are_kept_in_one_form(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["123", "call me", "+0501234567", "05012345678901234"])
def test_a_phone_that_is_not_one_is_refused(typed):
    with pytest.raises(ValidationError):
        normalize_phone(typed)


def test_signing_up_with_the_same_phone_twice_merges_and_does_not_duplicate(town):
    first = sign_up(town)
    again = sign_up(
        town,
        name="Іван",  # typed differently the second time
        phone="+380507654321",
        skills=[services.SkillEntry(Skill.DRIVER, licence=("B",))],
        availability=[(5, 720, 1080), (6, 360, 720)],
        languages=["en"],
        vehicle="van",
        vehicle_seats=3,
    )
    assert (first.merged, again.merged) == (False, True)
    assert again.volunteer == first.volunteer
    assert Volunteer.objects.filter(organization=town.hq).exclude(pk=town.me.pk).count() == 1
    volunteer = Volunteer.objects.get(pk=first.volunteer.pk)
    assert volunteer.name == "Іван Петренко"  # an anonymous form never renames anyone
    assert {s.skill for s in volunteer.skills.all()} == {Skill.COOK, Skill.DRIVER}
    assert volunteer.languages == ["uk", "en"]
    assert volunteer.vehicle == "van"
    # Saturday 6-12 and 12-18 are one window now; Sunday morning is new.
    slots = list(volunteer.availability.values_list("weekday", "start_minute", "end_minute"))
    assert slots == [(5, 360, 1080), (6, 360, 720)]


def test_a_merge_keeps_what_a_coordinator_recorded(town):
    volunteer = sign_up(town).volunteer
    services.set_vetting(town.hq_coordinator, volunteer, status=Volunteer.Vetting.SUSPENDED)
    VolunteerSkill = volunteer.skills.model
    VolunteerSkill.objects.filter(volunteer=volunteer).update(level=3)
    sign_up(town, skills=[Skill.COOK])
    volunteer.refresh_from_db()
    assert volunteer.vetting == Volunteer.Vetting.SUSPENDED
    assert volunteer.skills.get().level == 3


def test_the_same_phone_in_another_organisation_is_another_entry(town):
    from hromada.volunteers.tests.factories import make_desk

    make_desk(town.council)
    sign_up(town)
    sign_up(town, organization=town.council)
    assert Volunteer.objects.filter(phone="+380507654321").count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"consent": False}, "consent"),
        ({"phone": ""}, "phone"),
        ({"phone": "not a phone"}, "phone"),
        ({"name": "   "}, "name"),
        ({"skills": ["juggler"]}, "skills"),
        ({"skills": [services.SkillEntry(Skill.DRIVER, licence=("Z",))]}, "skills"),
        ({"availability": [(7, 0, 60)]}, "availability"),
        ({"availability": [(1, 600, 540)]}, "availability"),
        ({"languages": ["klingon"]}, "languages"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_a_bad_sign_up_is_refused_field_by_field_and_nothing_is_saved(town, overrides, field):
    with pytest.raises(ValidationError) as error:
        sign_up(town, **overrides)
    assert field in error.value.message_dict
    assert not Volunteer.objects.exclude(pk=town.me.pk).exists()


def test_an_organisation_that_has_not_opened_its_desk_takes_no_sign_ups(town):
    with pytest.raises(ValidationError) as error:
        sign_up(town, organization=town.other)
    assert "organization" in error.value.message_dict


def test_a_replayed_sign_up_with_the_same_key_is_one_entry(town):
    one = sign_up(town, idempotency_key="offline-signup-0001")
    two = sign_up(town, idempotency_key="offline-signup-0001")
    assert one.volunteer == two.volunteer


def test_a_coordinator_registers_only_with_consent_and_only_in_their_organisation(town):
    with pytest.raises(ValidationError) as error:
        services.register_volunteer(
            town.hq_coordinator,
            organization=town.hq,
            name="Ганна",
            phone="0501110000",
            consent=False,
        )
    assert "consent" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.register_volunteer(
            town.coordinator, organization=town.hq, name="Ганна", phone="0501110000", consent=True
        )
    volunteer, created = services.register_volunteer(
        town.hq_coordinator, organization=town.hq, name="Ганна", phone="0501110000", consent=True
    )
    assert created and volunteer.consent_recorded_by == town.hq_coordinator


def test_a_coordinator_is_told_when_the_phone_is_already_registered(town):
    with pytest.raises(ValidationError) as error:
        services.register_volunteer(
            town.hq_coordinator,
            organization=town.hq,
            name="Двійник",
            phone=town.me.phone,
            consent=True,
        )
    assert "phone" in error.value.message_dict


def test_removing_a_volunteer_erases_contact_data_and_takes_them_off_coming_shifts(town):
    shift = make_shift(task=make_task(organization=town.hq))
    assignment = make_assignment(shift=shift, volunteer=town.me)
    services.remove_volunteer(town.hq_coordinator, town.me)
    town.me.refresh_from_db()
    assignment.refresh_from_db()
    assert (town.me.phone, town.me.is_active, town.me.consent_at) == ("", False, None)
    assert assignment.status == Assignment.Status.WITHDRAWN


# Teams ------------------------------------------------------------------------------------


def test_a_new_leader_replaces_the_old_one(town):
    first, second = make_volunteer(organization=town.hq), make_volunteer(organization=town.hq)
    team = make_team(organization=town.hq, leader=first)
    services.add_team_member(town.hq_coordinator, team, second, role=TeamMember.Role.LEADER)
    roles = dict(team.members.values_list("volunteer_id", "role"))
    assert roles == {first.pk: "member", second.pk: "leader"}


def test_a_team_takes_only_its_organisations_volunteers(town):
    team = make_team(organization=town.hq)
    stranger = make_volunteer(organization=town.council)
    with pytest.raises(ValidationError):
        services.add_team_member(town.hq_coordinator, team, stranger)


# Shifts ----------------------------------------------------------------------------------


@pytest.fixture
def shift(town):
    task = make_task(organization=town.hq, place=town.hub)
    return make_shift(task=task, headcount=2)


def test_a_volunteer_signs_up_and_a_full_shift_refuses_the_next(town, shift):
    services.sign_up_for_shift(town.volunteer, shift)
    make_assignment(shift=shift, volunteer=make_volunteer(organization=town.hq))
    late = make_volunteer(organization=town.hq, user=town.doctor)
    with pytest.raises(ValidationError, match="full"):
        services.sign_up_for_shift(late.user, shift)


def test_somebody_outside_the_registry_cannot_sign_up(town, shift):
    with pytest.raises(PermissionDenied):
        services.sign_up_for_shift(town.coordinator, shift)


def test_verified_only_tasks_refuse_unverified_and_suspended_people(town, shift):
    unverified = make_volunteer(organization=town.hq, vetting=Volunteer.Vetting.UNVERIFIED)
    suspended = make_volunteer(organization=town.hq, vetting=Volunteer.Vetting.SUSPENDED)
    result = services.invite(
        town.hq_coordinator, shift, volunteers=[unverified, suspended, town.me]
    )
    assert [a.volunteer for a in result.assignments] == [town.me]
    assert {v for v, _reason in result.skipped} == {unverified, suspended}


def test_skills_everyone_needs_are_checked_for_everyone(town):
    task = make_task(organization=town.hq, skills=[Skill.DRIVER], skills_for_all=True)
    shift = make_shift(task=task)
    driver = make_volunteer(organization=town.hq, skills=[Skill.DRIVER])
    result = services.invite(town.hq_coordinator, shift, volunteers=[driver, town.me], agreed=True)
    assert [a.volunteer for a in result.assignments] == [driver]
    assert "Driver" in result.skipped[0][1]


def test_nobody_is_on_two_shifts_at_once(town, shift):
    other = make_shift(task=shift.task, starts_at=shift.starts_at + datetime.timedelta(hours=2))
    make_assignment(shift=shift, volunteer=town.me)
    with pytest.raises(ValidationError, match="another shift"):
        services.sign_up_for_shift(town.volunteer, other)


def test_an_invitation_is_answered_by_the_person_invited(town, shift):
    assignment = services.invite(town.hq_coordinator, shift, volunteers=[town.me]).assignments[0]
    assert assignment.status == Assignment.Status.INVITED
    with pytest.raises(PermissionDenied):
        services.respond(town.hq_coordinator, assignment, accept=True)
    services.respond(town.volunteer, assignment, accept=True)
    assert assignment.status == Assignment.Status.CONFIRMED and not assignment.agreed_by_phone


def test_a_coordinator_confirms_who_said_yes_by_phone(town, shift):
    person = make_volunteer(organization=town.hq)
    assignment = services.invite(town.hq_coordinator, shift, volunteers=[person]).assignments[0]
    services.confirm_on_behalf(town.hq_coordinator, assignment)
    assert (assignment.status, assignment.agreed_by_phone) == ("confirmed", True)


def test_inviting_a_team_invites_each_member(town, shift):
    members = [make_volunteer(organization=town.hq) for _ in range(3)]
    team = make_team(organization=town.hq, members=members)
    result = services.invite(town.hq_coordinator, shift, team=team)
    assert {a.volunteer for a in result.assignments} == set(members)
    assert all(a.via_team == team and a.status == "invited" for a in result.assignments)


@pytest.fixture
def on_now(town):
    now = timezone.now()
    task = make_task(organization=town.hq)
    shift = make_shift(
        task=task,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=3),
    )
    return make_assignment(shift=shift, volunteer=town.me)


def test_check_out_before_check_in_is_refused(town, on_now):
    with pytest.raises(ValidationError, match="Check in first"):
        services.check_out(town.volunteer, on_now)
    on_now.refresh_from_db()
    assert on_now.checked_out_at is None


def test_the_database_itself_refuses_a_check_out_without_a_check_in(town, on_now):
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.filter(pk=on_now.pk).update(checked_out_at=timezone.now())


def test_hours_are_counted_from_check_in_to_check_out(town, on_now):
    start = on_now.shift.starts_at
    services.check_in(town.hq_coordinator, on_now, at=start + datetime.timedelta(minutes=5))
    services.check_out(town.volunteer, on_now, at=start + datetime.timedelta(minutes=50))
    on_now.refresh_from_db()
    assert on_now.hours == 0.75
    with pytest.raises(ValidationError):
        services.check_out(town.volunteer, on_now)


def test_check_in_opens_two_hours_before_the_shift(town, shift):
    assignment = make_assignment(shift=shift, volunteer=town.me)
    shift.starts_at = timezone.now() + datetime.timedelta(hours=3)
    shift.ends_at = shift.starts_at + datetime.timedelta(hours=2)
    shift.save()
    with pytest.raises(ValidationError, match="two hours"):
        services.check_in(town.volunteer, assignment)


def test_a_stranger_cannot_check_anyone_in(town, on_now):
    with pytest.raises(PermissionDenied):
        services.check_in(town.doctor, on_now)


def test_a_team_leader_checks_their_people_in(town, on_now):
    leader = make_volunteer(organization=town.hq, user=town.analyst)
    team = make_team(organization=town.hq, leader=leader)
    on_now.shift.task.team = team
    on_now.shift.task.save()
    assert services.check_in(town.analyst, on_now).checked_in_at is not None


def test_no_shows_are_recorded_once(town, on_now):
    now = timezone.now()
    on_now.shift.ends_at = now - datetime.timedelta(minutes=1)
    on_now.shift.starts_at = now - datetime.timedelta(hours=4)
    on_now.shift.save()
    assert services.record_no_shows() == 1
    assert services.record_no_shows() == 0
    on_now.refresh_from_db()
    assert on_now.status == Assignment.Status.NO_SHOW


def test_suspending_takes_a_volunteer_off_coming_shifts(town, shift):
    assignment = make_assignment(shift=shift, volunteer=town.me)
    assert services.set_vetting(town.hq_coordinator, town.me, status="suspended") == 1
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.WITHDRAWN


def test_a_task_and_its_first_shift_are_posted_together_or_not_at_all(town):
    bad = {"starts_at": tomorrow_at(12), "ends_at": tomorrow_at(8), "headcount": 5}
    with pytest.raises(ValidationError) as error:
        services.create_task(
            town.hq_coordinator,
            organization=town.hq,
            title="Мішки",
            kind="fortification",
            first_shift=bad,
        )
    assert "ends_at" in error.value.message_dict
    assert not town.hq.volunteer_tasks.exists()


def test_a_task_may_not_name_a_place_its_author_cannot_see(town):
    with pytest.raises(ValidationError) as error:
        services.create_task(
            town.hq_coordinator,
            organization=town.hq,
            title="Варта",
            kind="watch",
            place=town.shelter,
        )
    assert "place" in error.value.message_dict


# Equipment custody ------------------------------------------------------------------------


def test_custody_of_an_item_already_issued_is_refused(town):
    item = make_item(organization=town.hq)
    services.issue_item(town.hq_coordinator, item, volunteer=town.me)
    other = make_volunteer(organization=town.hq)
    with pytest.raises(ValidationError, match="already issued"):
        services.issue_item(town.hq_coordinator, item, volunteer=other)
    assert CustodyRecord.objects.filter(item=item).count() == 1


def test_the_database_refuses_a_second_open_hand_over(town):
    item = make_item(organization=town.hq)
    services.issue_item(town.hq_coordinator, item, volunteer=town.me)
    with pytest.raises(IntegrityError), transaction.atomic():
        CustodyRecord.objects.create(item=item, volunteer=town.me, condition_out="good")


def test_an_item_goes_out_and_comes_back_with_its_condition_and_full_history(town):
    item = make_item(organization=town.hq)
    team = make_team(organization=town.hq)
    services.issue_item(town.hq_coordinator, item, volunteer=town.me)
    services.return_item(town.hq_coordinator, item, condition="worn")
    services.issue_item(town.hq_coordinator, item, team=team)
    services.return_item(
        town.hq_coordinator, item, condition="lost", note="Загублено під обстрілом"
    )
    item.refresh_from_db()
    assert (item.state, item.condition) == (EquipmentItem.State.LOST, "worn")
    history = list(item.custody.order_by("issued_at", "pk"))
    assert [(r.holder, r.condition_in) for r in history] == [(town.me, "worn"), (team, "lost")]
    with pytest.raises(ValidationError):
        services.issue_item(town.hq_coordinator, item, volunteer=town.me)


def test_who_held_what_at_a_moment_and_what_is_overdue(town):
    radio, vest = make_item(organization=town.hq), make_item(organization=town.hq, kind="vest")
    services.issue_item(town.hq_coordinator, radio, volunteer=town.me)
    moment = timezone.now()
    services.return_item(town.hq_coordinator, radio, condition="good")
    record = services.issue_item(
        town.hq_coordinator,
        vest,
        volunteer=town.me,
        due_back=timezone.now() + datetime.timedelta(hours=1),
    )
    CustodyRecord.objects.filter(pk=record.pk).update(
        due_back=timezone.now() - datetime.timedelta(hours=1)
    )
    assert [r.item for r in CustodyRecord.objects.held_at(moment)] == [radio]
    assert [r.item for r in CustodyRecord.objects.overdue()] == [vest]


def test_items_go_only_to_the_organisations_people(town):
    item = make_item(organization=town.hq)
    with pytest.raises(ValidationError):
        services.issue_item(
            town.hq_coordinator, item, volunteer=make_volunteer(organization=town.council)
        )
    with pytest.raises(PermissionDenied):
        services.issue_item(town.coordinator, item, volunteer=town.me)


# Applications ------------------------------------------------------------------------------


def application_fields(town, **overrides):
    fields = {
        "language": "fr",
        "name": "Camille Durand",
        "email": "Camille@Example.org",
        "nationality": "FR",
        "residence": "BE",
        "experience": "Infirmière aux urgences.",
        "available_from": timezone.localdate() + datetime.timedelta(days=7),
        "how_heard": "embassy",
        "consent": True,
        "skills": [Skill.NURSE],
        "languages": ["fr", "en"],
    }
    fields.update(overrides)
    return fields


def test_an_application_gets_a_reference_and_a_secret_only_its_digest_kept(town):
    submitted = services.submit_application(**application_fields(town))
    application = submitted.application
    assert application.organization == town.hq and application.reference.startswith("HR-")
    assert submitted.secret not in application.secret_digest
    assert services.application_by_secret(application.reference, submitted.secret) == application
    assert services.application_by_secret(application.reference, "guess") is None
    assert application.email == "camille@example.org"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nationality": "XX"}, "nationality"),
        ({"available_from": datetime.date(2022, 2, 28)}, "available_from"),
        ({"available_until": timezone.localdate()}, "available_until"),
        ({"referrer_code": "NOBODY"}, "referrer_code"),
        ({"consent": False}, "consent"),
        ({"language": "ru"}, "language"),
        ({"email": "nope"}, "email"),
    ],
)
def test_a_bad_application_is_refused_and_nothing_is_saved(town, overrides, field):
    with pytest.raises(ValidationError) as error:
        services.submit_application(**application_fields(town, **overrides))
    assert field in error.value.message_dict
    assert not Application.objects.exists()


def test_statuses_move_only_forward_and_arrival_puts_the_person_in_the_registry(town):
    application = make_application(organization=town.hq, phone="+33612345678")
    with pytest.raises(ValidationError):
        services.change_application_status(town.hq_coordinator, application, status="arrived")
    for status in ("screening", "interview", "accepted", "arrived"):
        application = services.change_application_status(
            town.hq_coordinator, application, status=status
        )
    volunteer = application.volunteer
    assert (volunteer.organization, volunteer.source, volunteer.phone) == (
        town.hq,
        "application",
        "+33612345678",
    )
    assert [s.skill for s in volunteer.skills.all()] == [Skill.NURSE]
    assert application.reviewer == town.hq_coordinator
    assert list(application.events.values_list("status_to", flat=True)) == [
        "submitted", "screening", "interview", "accepted", "arrived",
    ]  # fmt: skip
    with pytest.raises(ValidationError):
        services.change_application_status(town.hq_coordinator, application, status="rejected")


def test_only_the_receiving_organisations_coordinators_review(town):
    application = make_application(organization=town.hq)
    with pytest.raises(PermissionDenied):
        services.change_application_status(town.coordinator, application, status="screening")


def test_the_applicant_withdraws_and_may_then_add_nothing(town):
    application = make_application(organization=town.hq)
    services.withdraw_application(application)
    application.refresh_from_db()
    assert application.status == "withdrawn"
    with pytest.raises(ValidationError):
        services.add_documents(application, [])


def test_a_referrer_gets_counts_per_status_and_nothing_else(town):
    referrer = make_referrer(organization=town.hq)
    for status in ("submitted", "submitted", "accepted", "rejected"):
        make_application(organization=town.hq, referrer=referrer, status=status)
    make_application(organization=town.hq, status="accepted")  # someone else's
    counts = services.referral_counts(referrer)
    assert counts == {
        "submitted": 2, "screening": 0, "interview": 0, "accepted": 1, "rejected": 1,
        "arrived": 0, "withdrawn": 0,
    }  # fmt: skip


def test_a_referral_code_is_matched_whatever_its_case(town):
    referrer = make_referrer(organization=town.hq, code="LAMBERT-DIJON")
    submitted = services.submit_application(
        **application_fields(town, referrer_code="lambert-dijon")
    )
    assert submitted.application.referrer == referrer


# Contact cards ---------------------------------------------------------------------------


def test_a_card_phone_is_normalised_and_a_card_needs_one(town):
    card, _ = services.create_card(
        town.coordinator, organization=town.council, title="Комендант", phone="050 000 11 21"
    )
    assert card.phone == "+380500001121"
    with pytest.raises(ValidationError):
        services.create_card(
            town.coordinator, organization=town.council, title="Без номера", phone=""
        )


def test_a_team_leader_signs_the_team_up_and_each_member_answers(town, shift):
    leader = make_volunteer(organization=town.hq, user=town.analyst)
    members = [town.me, make_volunteer(organization=town.hq)]
    team = make_team(organization=town.hq, leader=leader, members=members)
    with pytest.raises(PermissionDenied):
        services.sign_up_team(town.volunteer, shift, team)  # a member, not the leader
    result = services.sign_up_team(town.analyst, shift, team)
    statuses = {a.volunteer: a.status for a in result.assignments}
    assert statuses == {leader: "confirmed", members[0]: "invited", members[1]: "invited"}
