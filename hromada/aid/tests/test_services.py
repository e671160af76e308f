import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hromada.aid import services
from hromada.aid.models import Need
from hromada.aid.tests.factories import item, make_need
from hromada.core.models import Sensitivity


def post(actor, place, **overrides):
    fields = {"place": place, "item": item("bread"), "quantity": Decimal(150)}
    fields.update(overrides)
    return services.create_need(actor, **fields)


def test_a_coordinator_posts_a_need_at_their_organisations_place(community):
    need, created = post(community.coordinator, community.shelter, priority="critical")
    assert created
    assert (need.status, need.unit, need.created_by) == ("open", "loaf", community.coordinator)


@pytest.mark.parametrize(
    "persona", ["volunteer", "analyst", "doctor", "other_coordinator", "outsider"]
)
def test_only_coordinators_of_the_places_organisation_may_post_there(community, persona):
    with pytest.raises(PermissionDenied):
        post(getattr(community, persona), community.school)
    assert not Need.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"quantity": Decimal(0)}, "quantity"),
        ({"quantity": Decimal(-5)}, "quantity"),
        ({"quantity": Decimal("1e12")}, "quantity"),
        ({"item": None, "title": ""}, "item"),
        ({"item": None, "title": "   "}, "item"),
        ({"needed_by": datetime.date(2022, 2, 28)}, "needed_by"),
        ({"note": "x" * 2001}, "note"),
        ({"priority": "whenever"}, "priority"),
        ({"visibility": "everyone"}, "visibility"),
        ({"item": None, "title": "Кисневий концентратор", "unit": ""}, "unit"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_saved(community, overrides, field):
    with pytest.raises(ValidationError) as error:
        post(community.coordinator, community.shelter, **overrides)
    assert field in error.value.message_dict
    assert not Need.objects.exists()


def test_a_free_text_need_takes_its_own_unit(community):
    need, _ = post(
        community.coordinator,
        community.office,
        item=None,
        title="Кисневий концентратор",
        unit="piece",
    )
    assert need.label == "Кисневий концентратор"


def test_the_same_idempotency_key_posts_once(community):
    first, created = post(
        community.coordinator, community.shelter, idempotency_key="offline-queue-0001"
    )
    again, created_again = post(
        community.coordinator, community.shelter, idempotency_key="offline-queue-0001"
    )
    assert (created, created_again, again) == (True, False, first)
    assert Need.objects.count() == 1


def test_coverage_moves_the_status(community):
    need = make_need(place=community.shelter, quantity=Decimal(100))
    services.update_need(community.coordinator, need, quantity_covered=Decimal(40))
    assert need.status == Need.Status.PARTLY_COVERED
    services.update_need(community.coordinator, need, quantity_covered=Decimal(100))
    assert need.status == Need.Status.COVERED
    assert need.closed_at is not None


def test_moving_a_need_to_another_organisations_place_is_refused(community):
    need = make_need(place=community.shelter)
    with pytest.raises(PermissionDenied):
        services.update_need(community.coordinator, need, place=community.ward)
    need.refresh_from_db()
    assert need.place == community.shelter


def test_a_closed_need_cannot_be_edited(community):
    need = make_need(place=community.shelter, status=Need.Status.CANCELLED)
    with pytest.raises(ValidationError):
        services.update_need(community.coordinator, need, quantity=Decimal(5))


def test_an_old_date_may_stay_when_other_fields_change(community):
    need = make_need(place=community.shelter)
    Need.objects.filter(pk=need.pk).update(
        needed_by=timezone.localdate() - datetime.timedelta(days=1)
    )
    need.refresh_from_db()
    services.update_need(community.coordinator, need, note="Привезти до 8:00")
    with pytest.raises(ValidationError):
        services.update_need(community.coordinator, need, needed_by=datetime.date(2023, 1, 1))


def test_closing_as_covered_fills_the_quantity_and_closing_twice_is_harmless(community):
    need = make_need(place=community.shelter)
    services.close_need(community.coordinator, need, status="covered")
    services.close_need(community.coordinator, need, status="covered")
    assert (need.status, need.quantity_covered) == ("covered", need.quantity)
    with pytest.raises(ValidationError):
        services.close_need(community.coordinator, need, status="cancelled")


def test_closing_needs_the_right_to_post(community):
    need = make_need(place=community.shelter)
    with pytest.raises(PermissionDenied):
        services.close_need(community.volunteer, need, status="cancelled")
    with pytest.raises(ValidationError):
        services.close_need(community.coordinator, need, status="expired")


def test_expire_needs_closes_overdue_needs_once(community):
    today = timezone.localdate()
    overdue = make_need(place=community.shelter)
    Need.objects.filter(pk=overdue.pk).update(needed_by=today - datetime.timedelta(days=1))
    current = make_need(place=community.shelter, needed_by=today)
    assert services.expire_needs(today) == 1
    assert services.expire_needs(today) == 0
    overdue.refresh_from_db()
    current.refresh_from_db()
    assert (overdue.status, current.status) == ("expired", "open")


def test_a_need_is_never_shown_wider_than_its_place(community):
    need = make_need(place=community.shelter, visibility=Sensitivity.PUBLIC)
    assert need.effective_visibility == Sensitivity.RESTRICTED
    need = make_need(place=community.office, visibility=Sensitivity.MEMBERS)
    assert need.effective_visibility == Sensitivity.MEMBERS
